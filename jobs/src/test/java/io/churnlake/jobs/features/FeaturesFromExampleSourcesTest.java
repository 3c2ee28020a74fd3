package io.churnlake.jobs.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnlake.common.config.ChurnConfig;
import io.churnlake.common.config.ChurnConfigLoader;
import io.churnlake.common.table.ChurnTable;
import io.churnlake.common.table.DeltaTableStore;
import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.JobContext;
import io.churnlake.jobs.ingest.IngestJob;
import io.churnlake.jobs.testing.Examples;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code features} from the example transaction and customer sources (conf/examples), with no event
 * log: the population comes from the table that exists, and each row holds only what was knowable
 * on the as-of date.
 */
class FeaturesFromExampleSourcesTest extends SparkTestBase {
  @TempDir Path dir;

  private JobContext ingest(String example, String source, String data) throws Exception {
    Path copy = Examples.copyFixtures(data, dir.resolve(source));
    ChurnConfig config =
        ChurnConfigLoader.load(
            List.of(Examples.config(example).toFile()),
            List.of(
                "warehouse=\"" + dir.resolve("warehouse") + "\"",
                "sources." + source + ".path=\"" + copy + "\"",
                "features.windows=[7]"));
    JobContext ctx =
        new JobContext(config, spark(), new DeltaTableStore(spark(), config.warehouse()));
    IngestJob.run(ctx, Optional.empty());
    return ctx;
  }

  @Test
  void retailInvoicesGiveRfmFeaturesAsOfADate() throws Exception {
    JobContext ctx = ingest("retail-transactions.conf", "retail", "retail");
    assertThat(FeaturesJob.run(ctx, LocalDate.of(2026, 3, 10))).isEqualTo(3);
    assertThat(
            Examples.text(
                ctx.store()
                    .read(ChurnTable.CUSTOMER_FEATURES)
                    .selectExpr(
                        "customer_id",
                        "days_since_last_purchase",
                        "has_purchased",
                        "orders_total",
                        "round(net_spend_total, 2)",
                        "round(avg_order_value, 2)",
                        "round(returned_share, 3)",
                        "orders_7d")))
        .containsExactly(
            "[12583,6,1,1,10.5,12.6,0.167,1]",
            "[13047,9,1,1,18.5,22.2,0.167,0]",
            "[17850,9,1,1,35.64,35.64,0.0,0]");
  }

  @Test
  void customerSnapshotsAloneGiveAttributeFeatures() throws Exception {
    JobContext ctx = ingest("telco-customers.conf", "crm", "crm");
    assertThat(FeaturesJob.run(ctx, LocalDate.of(2026, 4, 7))).isEqualTo(4);
    assertThat(
            Examples.text(
                ctx.store()
                    .read(ChurnTable.CUSTOMER_FEATURES)
                    .selectExpr("customer_id", "days_since_snapshot", "contract", "tenure_months")))
        .containsExactly(
            "[0001-AAAA,7,Month-to-month,1]",
            "[0002-BBBB,7,One year,34]",
            "[0003-CCCC,7,Month-to-month,2]",
            "[0004-DDDD,7,Two year,0]");
    assertThat(ctx.store().read(ChurnTable.CUSTOMER_FEATURES).columns()).doesNotContain("churned");
  }
}
