package io.churnlake.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnlake.common.errors.ChurnException;
import io.churnlake.common.errors.ExitCode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChurnConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void defaultsAreTheEmbeddedLocalSetup() {
    ChurnConfig c = ChurnConfigLoader.defaults();
    assertThat(c.warehouse()).isEqualTo("warehouse");
    assertThat(c.spark().master()).isEqualTo("local[*]");
    assertThat(c.spark().codegen()).isEqualTo(ChurnConfig.Codegen.AUTO);
    assertThat(c.spark().codegenFromMb()).isEqualTo(8);
    assertThat(c.generate().customers()).isEqualTo(2000);
    assertThat(c.generate().days()).isEqualTo(240);
    assertThat(c.generate().startDate()).isEqualTo(LocalDate.of(2026, 1, 1));
    assertThat(c.labels().horizonDays()).isEqualTo(30);
    assertThat(c.features().windows()).containsExactly(7, 30, 90);
    assertThat(c.segment().mediumFrom()).isLessThan(c.segment().highFrom());
    assertThat(c.ingest().sources()).containsExactly("events");
    SourceSpec events = c.source("events");
    // The default source reads what the generator writes.
    assertThat(events.path()).isEqualTo(c.generate().output());
    assertThat(events.kind()).isEqualTo(SourceSpec.Kind.EVENTS);
    assertThat(events.format()).isEqualTo(SourceSpec.Format.JSON);
    assertThat(events.personal()).containsExactly("firstName", "lastName", "userAgent");
    assertThat(events.personalMode()).isEqualTo(SourceSpec.PersonalMode.DROP);
    assertThat(events.dedupKey())
        .containsExactly(
            "customer_id", "session_id", "item_in_session", "event_time", "event_type");
  }

  @Test
  void everyExampleSourceConfigLoads() {
    Path examples = Path.of("..", "conf", "examples");
    for (String name :
        List.of("retail-transactions.conf", "telco-customers.conf", "app-events.conf")) {
      ChurnConfig c = ChurnConfigLoader.load(List.of(examples.resolve(name).toFile()), List.of());
      assertThat(c.ingest().sources()).as(name).hasSize(1);
      c.source(c.ingest().sources().get(0));
    }
  }

  @Test
  void sourceBlocksAreCheckedKeyByKey() {
    assertThatThrownBy(
            () -> ChurnConfigLoader.load(List.of(), List.of("sources.events.colums.x=y")))
        .isInstanceOf(ChurnException.class)
        .hasMessageStartingWith("unknown configuration key 'churnlake.sources.events.colums'");
    assertThatThrownBy(
            () ->
                ChurnConfigLoader.load(
                    List.of(),
                    List.of(
                        "sources.orders.kind=transactions",
                        "sources.orders.format=csv",
                        "sources.orders.path=x",
                        "sources.orders.columns.customer_id=c",
                        "sources.orders.columns.event_time=t")))
        .isInstanceOf(ChurnException.class)
        .hasMessage(
            "configuration key 'churnlake.sources.orders.columns.order_id' has value 'missing';"
                + " allowed: the source field holding order_id");
    assertThatThrownBy(
            () -> ChurnConfigLoader.load(List.of(), List.of("sources.events.format=xml")))
        .isInstanceOf(ChurnException.class)
        .hasMessage(
            "configuration key 'churnlake.sources.events.format' has value 'xml'; allowed: json,"
                + " csv, text, parquet, delta");
    assertThatThrownBy(() -> ChurnConfigLoader.load(List.of(), List.of("ingest.sources=[orders]")))
        .isInstanceOf(ChurnException.class)
        .hasMessage(
            "configuration key 'churnlake.ingest.sources' has value 'orders'; allowed: names of"
                + " blocks under churnlake.sources [events]");
  }

  @Test
  void setOverridesWinOverFilesWhichWinOverDefaults() throws Exception {
    File file = dir.resolve("site.conf").toFile();
    Files.writeString(
        file.toPath(), "churnlake { warehouse = \"/data/wh\"\n labels.horizon-days = 14 }");
    ChurnConfig c =
        ChurnConfigLoader.load(
            List.of(file), List.of("labels.horizon-days=21", "churnlake.segment.high-from=0.5"));
    assertThat(c.warehouse()).isEqualTo("/data/wh");
    assertThat(c.labels().horizonDays()).isEqualTo(21);
    assertThat(c.segment().highFrom()).isEqualTo(0.5);
  }

  @Test
  void laterSetWinsAndPlainStringsNeedNoQuotes() {
    ChurnConfig c =
        ChurnConfigLoader.load(
            List.of(), List.of("warehouse=s3a://bucket/wh", "warehouse=hdfs://nn:8020/wh"));
    assertThat(c.warehouse()).isEqualTo("hdfs://nn:8020/wh");
  }

  @Test
  void sparkExtraTakesAnySparkKey() {
    ChurnConfig c =
        ChurnConfigLoader.load(List.of(), List.of("spark.extra.\"spark.executor.memory\"=4g"));
    assertThat(c.spark().extra()).containsEntry("spark.executor.memory", "4g");
  }

  @Test
  void unknownKeyIsAUsageErrorNamingTheKey() {
    assertUsageError(
        List.of("labels.horizon=30"), "unknown configuration key 'churnlake.labels.horizon'");
  }

  @Test
  void wrongTypeNamesKeyValueAndWhatIsAllowed() {
    assertUsageError(
        List.of("labels.horizon-days=soon"),
        "'churnlake.labels.horizon-days' has value 'soon'; allowed: a whole number >= 1");
  }

  @Test
  void labelDefinitionsAndEventTypesAreCheckedByName() {
    ChurnConfig c =
        ChurnConfigLoader.load(
            List.of(),
            List.of("labels.definition=inactivity", "features.event-types.negative=[complaint]"));
    assertThat(c.labels().definition()).isEqualTo(ChurnConfig.LabelDefinition.INACTIVITY);
    assertThat(c.labels().qualifyingActivity()).isEqualTo("line_type = 'purchase'");
    assertThat(c.features().eventTypes().featured())
        .containsExactly(
            "complaint", "thumbs_up", "add_to_playlist", "add_friend", "submit_upgrade");
    assertUsageError(
        List.of("labels.definition=churned"),
        "'churnlake.labels.definition' has value 'churned'; allowed: explicit, inactivity, given");
    assertUsageError(
        List.of("labels.inactivity.table=customers"),
        "'churnlake.labels.inactivity.table' has value 'customers'; allowed: events, transactions");
    assertUsageError(
        List.of("features.event-types.positive=[\"Add Friend\"]"),
        "'churnlake.features.event-types.positive' has value 'Add Friend'; allowed: event types of"
            + " lower-case letters, digits and _ (up to 40), starting with a letter");
  }

  /**
   * Plan levels come from configuration: level events as {event, level} pairs, each type once, and
   * the paying levels; a list replaces the defaults' whole (HOCON lists are not merged).
   */
  @Test
  void planLevelEventsAndPaidLevelsAreReadAndCheckedNamingTheKey() {
    ChurnConfig.EventTypes defaults =
        ChurnConfigLoader.load(List.of(), List.of()).features().eventTypes();
    assertThat(defaults.levelEvents())
        .containsExactly(
            new ChurnConfig.LevelEvent("submit_upgrade", "paid"),
            new ChurnConfig.LevelEvent("submit_downgrade", "free"));
    assertThat(defaults.content()).containsExactly("next_song");
    assertThat(defaults.counted()).endsWith("next_song");
    ChurnConfig.EventTypes own =
        ChurnConfigLoader.load(
                List.of(),
                List.of(
                    "features.plan.level-events=[{event = go_gold, level = gold}]",
                    "features.plan.paid-levels=[gold, silver]",
                    "features.event-types.content=[]"))
            .features()
            .eventTypes();
    assertThat(own.levelEvents()).containsExactly(new ChurnConfig.LevelEvent("go_gold", "gold"));
    assertThat(own.levelsSet()).containsExactly("gold");
    assertThat(own.paidLevels()).containsExactly("gold", "silver");
    assertThat(own.counted()).doesNotContain("next_song");
    assertUsageError(
        List.of(
            "features.plan.level-events=[{event = go_gold, level = gold}, {event = go_gold,"
                + " level = silver}]"),
        "'churnlake.features.plan.level-events' has value '{\"event\":\"go_gold\",\"level\":\"silver\"}';"
            + " allowed: a list of {event = <canonical event type>, level = <plan level>}, each"
            + " event type once");
    assertUsageError(
        List.of("features.plan.level-events=[{event = \"Go Gold\", level = gold}]"),
        "'churnlake.features.plan.level-events' has value");
    assertUsageError(
        List.of("features.plan.level-events=[{event = go_gold}]"),
        "'churnlake.features.plan.level-events' has value '{\"event\":\"go_gold\"}'");
    assertUsageError(
        List.of("features.plan.paid-levels=gold"),
        "'churnlake.features.plan.paid-levels' has value 'gold'; allowed: a list of plan level"
            + " names");
  }

  @Test
  void outOfRangeAndInconsistentValuesAreRejected() {
    assertUsageError(
        List.of("generate.paid-share=1.5"),
        "'churnlake.generate.paid-share' has value '1.5'; allowed: a number in [0, 1]");
    assertUsageError(
        List.of("segment.medium-from=0.6", "segment.high-from=0.5"),
        "a probability above segment.medium-from (0.6)");
    assertUsageError(
        List.of("kpis.grain=day"), "'churnlake.kpis.grain' has value 'day'; allowed: month, week");
    assertUsageError(
        List.of("train.algorithm=svm"),
        "'churnlake.train.algorithm' has value 'svm'; allowed: gbt, logistic");
    assertUsageError(List.of("generate.start-date=yesterday"), "allowed: an ISO date yyyy-MM-dd");
    assertUsageError(List.of("novalue"), "--set takes key=value, got 'novalue'");
    // Spliced into DDL: plain identifiers only, a database or catalog.schema.
    for (String bad : List.of("churn; DROP", "a.b.c", "main.", ".x")) {
      assertUsageError(
          List.of("catalog.database=\"" + bad + "\""),
          "'churnlake.catalog.database' has value '"
              + bad
              + "'; allowed: \"\" (no registration), a database name or catalog.schema, each of"
              + " letters, digits and _");
    }
    assertThat(ChurnConfigLoader.load(List.of(), List.of("catalog.database=churn")).database())
        .isEqualTo("churn");
    assertThat(
            ChurnConfigLoader.load(List.of(), List.of("catalog.database=\"main.churn\""))
                .database())
        .isEqualTo("main.churn");
    // Where tables are registered does not change what a stage computes.
    assertThat(ChurnConfigLoader.load(List.of(), List.of("catalog.database=churn")).fingerprint())
        .isEqualTo(ChurnConfigLoader.load(List.of(), List.of()).fingerprint());
  }

  /** Invariant: every retention assumption out of range is refused before Spark starts. */
  @Test
  void retentionPlanAssumptionsAreValidated() {
    assertUsageError(
        List.of("segment.actions.discount.save-rate=1.2"),
        "'churnlake.segment.actions.discount.save-rate' has value '1.2'; allowed: a number in"
            + " [0, 1]");
    assertUsageError(
        List.of("segment.actions.agent-call.cost=-5"),
        "'churnlake.segment.actions.agent-call.cost' has value '-5.0'; allowed: a number >= 0");
    assertUsageError(
        List.of("segment.budget=-100"),
        "'churnlake.segment.budget' has value '-100.0'; allowed: a number >= 0 or \"unlimited\"");
    assertUsageError(
        List.of("segment.budget=lots"),
        "'churnlake.segment.budget' has value 'lots'; allowed: a number >= 0 or \"unlimited\"");
    assertUsageError(
        List.of("segment.actions-by-segment.high-value-high-risk=hug"),
        "'churnlake.segment.actions-by-segment.high-value-high-risk' has value 'hug'; allowed: an"
            + " action defined under churnlake.segment.actions: [agent-call, discount, education,"
            + " none, personal-offer]");
    assertUsageError(
        List.of("segment.actions-by-segment.top-value-high-risk=none"),
        "unknown configuration key 'churnlake.segment.actions-by-segment.top-value-high-risk'");
    assertUsageError(
        List.of("segment.actions.vip.price=3"),
        "unknown configuration key 'churnlake.segment.actions.vip.price'");
    assertUsageError(
        List.of("segment.control.fraction=2"),
        "'churnlake.segment.control.fraction' has value '2.0'; allowed: a number in [0, 1]");
    assertUsageError(
        List.of("segment.value-high-quantile=0.3"),
        "'churnlake.segment.value-high-quantile' has value '0.3'; allowed: a number in [0, 1]"
            + " above segment.value-medium-quantile (0.5)");
  }

  @Test
  void userDefinedActionsAndABudgetAreRead() {
    ChurnConfig c =
        ChurnConfigLoader.load(
            List.of(),
            List.of(
                "segment.actions.vip-gift.cost=30",
                "segment.actions.vip-gift.save-rate=0.5",
                "segment.actions-by-segment.high-value-high-risk=vip-gift",
                "segment.budget=2500"));
    assertThat(c.segment().actions().get("vip-gift"))
        .isEqualTo(new ChurnConfig.RetentionAction(30.0, 0.5, "vip-gift"));
    assertThat(c.segment().actionsBySegment().get("high-value-high-risk")).isEqualTo("vip-gift");
    assertThat(c.segment().budget()).hasValue(2500.0);
    assertThat(ChurnConfigLoader.load(List.of(), List.of()).segment().budget()).isEmpty();
  }

  /** Invariant: goals are read from the business's words; bad goals fail at config load. */
  @Test
  void goalsAreParsedFromTheBusinessWordsAndValidated() {
    ChurnConfig.KpiSettings k =
        ChurnConfigLoader.load(
                List.of(),
                List.of(
                    "kpis.goals=[\"churn_rate -10% vs 2026-01 by 2026-07\","
                        + " {id = keep, goal = \"retention_rate +0.05 vs 2026-02 by 2026-08\"}]"))
            .kpis();
    assertThat(k.goals())
        .containsExactly(
            new ChurnConfig.Goal(
                "goal-1",
                "churn_rate -10% vs 2026-01 by 2026-07",
                "churn_rate",
                true,
                -0.10,
                java.time.LocalDate.of(2026, 1, 1),
                java.time.LocalDate.of(2026, 7, 1)),
            new ChurnConfig.Goal(
                "keep",
                "retention_rate +0.05 vs 2026-02 by 2026-08",
                "retention_rate",
                false,
                0.05,
                java.time.LocalDate.of(2026, 2, 1),
                java.time.LocalDate.of(2026, 8, 1)));
    assertThat(k.goals().get(0).target(0.05))
        .isCloseTo(0.045, org.assertj.core.api.Assertions.within(1e-15));
    assertUsageError(
        List.of("kpis.goals=[\"churn_speed -10% vs 2026-01 by 2026-07\"]"),
        "'churnlake.kpis.goals[0]' has value 'churn_speed'; allowed: a metric of churn_kpis:"
            + " [churn_rate, retention_rate,");
    assertUsageError(
        List.of("kpis.goals=[\"churn_rate -10% vs 2026-13 by 2026-07\"]"),
        "'churnlake.kpis.goals[0]' has value '2026-13'; allowed: a month yyyy-MM");
    assertUsageError(
        List.of("kpis.goals=[\"churn_rate -10% vs 2026-07 by 2026-01\"]"),
        "'churnlake.kpis.goals[0]' has value '2026-01'; allowed: a deadline period after the"
            + " baseline 2026-07");
    assertUsageError(
        List.of("kpis.grain=week", "kpis.goals=[\"churn_rate -10% vs 2026-01-06 by 2026-03-02\"]"),
        "'churnlake.kpis.goals[0]' has value '2026-01-06'; allowed: a Monday yyyy-MM-dd");
    assertUsageError(
        List.of("kpis.goals=[\"cut churn a lot\"]"),
        "'churnlake.kpis.goals[0]' has value 'cut churn a lot'; allowed: \"METRIC +N% vs");
    assertUsageError(
        List.of("kpis.goals=[\"churn_rate -100% vs 2026-01 by 2026-07\"]"),
        "allowed: a change other than 0 (relative: above -100%)");
  }

  @Test
  void controlPowerSettingsAreReadAndBadOnesNamed() {
    ChurnConfig.ControlPower d = ChurnConfigLoader.load(List.of(), List.of()).segment().control();
    assertThat(d)
        .isEqualTo(
            new ChurnConfig.ControlPower(ChurnConfig.ControlSizing.FIXED, 0.20, 0.05, 0.80, 0.50));
    assertThat(
            ChurnConfigLoader.load(List.of(), List.of("segment.control.sizing=power"))
                .segment()
                .control()
                .sizing())
        .isEqualTo(ChurnConfig.ControlSizing.POWER);
    assertUsageError(
        List.of("segment.control.max-fraction=0.8"),
        "configuration key 'churnlake.segment.control.max-fraction' has value '0.8'; allowed: a share in (0, 0.5]");
    assertUsageError(
        List.of("segment.control.minimum-effect=0"),
        "key 'churnlake.segment.control.minimum-effect' has value '0.0'; allowed: a relative churn reduction in (0, 1)");
    assertUsageError(
        List.of("segment.control.power=0.3"),
        "key 'churnlake.segment.control.power' has value '0.3'; allowed: a number in [0.5, 1), e.g. 0.8");
    assertUsageError(List.of("segment.control.sizing=big"), "churnlake.segment.control.sizing");
    assertUsageError(List.of("segment.uplift-learner=forest"), "churnlake.segment.uplift-learner");
    assertThat(ChurnConfigLoader.load(List.of(), List.of()).segment().upliftLearner())
        .isEqualTo(ChurnConfig.UpliftLearner.ISOTONIC);
    assertUsageError(
        List.of("generate.campaign.do-not-disturb-share=0.8"),
        "key 'churnlake.generate.campaign.do-not-disturb-share' has value '0.8'; allowed: a share in [0, 0.75] (of the steady three quarters)");
  }

  @Test
  void jsonLimitsAreReadAsSizesAndCountsAndRefusedOutsideTheirRanges() {
    SourceSpec events =
        ChurnConfigLoader.load(
                List.of(),
                List.of("sources.events.max-record-bytes = 2 MiB", "sources.events.max-depth = 50"))
            .source("events");
    assertThat(List.of(events.maxRecordBytes(), events.maxDepth())).containsExactly(2 << 20, 50);
    assertUsageError(
        List.of("sources.events.max-record-bytes = 10"),
        "'churnlake.sources.events.max-record-bytes' has value '10'; allowed: a size from 1024"
            + " bytes to 1024 MiB, e.g. 64 MiB");
    assertUsageError(
        List.of("sources.events.max-depth = 0"),
        "'churnlake.sources.events.max-depth' has value '0'; allowed: a whole number from 1 to"
            + " 100000");
    assertUsageError(
        List.of("sources.events.max-depth = deep"),
        "'churnlake.sources.events.max-depth' has value 'deep'; allowed: a whole number");
  }

  @Test
  void missingConfigFileIsAUsageErrorNamingTheFile() {
    File missing = dir.resolve("nope.conf").toFile();
    assertThatThrownBy(() -> ChurnConfigLoader.load(List.of(missing), List.of()))
        .isInstanceOf(ChurnException.class)
        .hasMessageContaining("cannot read configuration file '" + missing.getPath() + "'")
        .extracting(e -> ((ChurnException) e).exitCode())
        .isEqualTo(ExitCode.USAGE);
  }

  private static void assertUsageError(List<String> overrides, String message) {
    assertThatThrownBy(() -> ChurnConfigLoader.load(List.of(), overrides))
        .isInstanceOf(ChurnException.class)
        .hasMessageContaining(message)
        .extracting(e -> ((ChurnException) e).exitCode())
        .isEqualTo(ExitCode.USAGE);
  }

  @Test
  void theFingerprintChangesWithWhatIsComputedNotWithSparkOrRunSettings() {
    // Invariant: nightly resumes a stage only when the configuration that computes it is the same.
    String base = ChurnConfigLoader.load(List.of(), List.of()).fingerprint();
    assertThat(base).hasSize(64);
    assertThat(
            ChurnConfigLoader.load(
                    List.of(),
                    List.of(
                        "spark.shuffle-partitions=3",
                        "runs.pause-dir=\"/tmp/p\"",
                        "runs.heartbeat-seconds=5"))
                .fingerprint())
        .isEqualTo(base);
    assertThat(ChurnConfigLoader.load(List.of(), List.of("train.seed=8")).fingerprint())
        .isNotEqualTo(base);
    assertThat(ChurnConfigLoader.load(List.of(), List.of("labels.horizon-days=14")).fingerprint())
        .isNotEqualTo(base);
  }
}
