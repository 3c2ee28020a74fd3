package io.churnlake.jobs;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.library.Architectures;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shape docs/architecture.md describes, checked on the compiled main classes (no Spark): the
 * layers only look down, the packages of the jobs form no cycle, and a transform (a class whose
 * {@code apply} returns a {@code Dataset}) never reaches storage. Each rule is also run against a
 * class set that breaks it, so that a rule which cannot fail is noticed.
 */
class ArchitectureTest {
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.churnlake");
  }

  /** The stage packages: each one stage's job, transforms and the types they share. */
  static final List<String> STAGE_NAMES =
      List.of(
          "ingest",
          "features",
          "labels",
          "train",
          "score",
          "clv",
          "segment",
          "kpis",
          "uplift",
          "report",
          "export",
          "forget",
          "maintain",
          "generate",
          "sql");

  static final String[] STAGES =
      STAGE_NAMES.stream().map(n -> "..jobs." + n + "..").toArray(String[]::new);

  /**
   * From the top: the command line; the flows that run several stages (nightly, backfill, demo);
   * the stages; what stages share (the model, the run ledger, the table catalog, the stage
   * context); the common module (config, errors, tables, Spark session).
   */
  static Architectures.LayeredArchitecture layers() {
    return Architectures.layeredArchitecture()
        .consideringOnlyDependenciesInAnyPackage("io.churnlake..")
        .layer("cli")
        .definedBy("..jobs.cli..")
        .layer("flows")
        .definedBy("..jobs.nightly..", "..jobs.demo..")
        .layer("stages")
        .definedBy(STAGES)
        .layer("shared")
        .definedBy("..jobs.model..", "..jobs.runs..", "..jobs.tables..", "io.churnlake.jobs")
        .layer("common")
        .definedBy("io.churnlake.common..")
        .whereLayer("cli")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("flows")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("stages")
        .mayOnlyBeAccessedByLayers("cli", "flows")
        .whereLayer("shared")
        .mayOnlyBeAccessedByLayers("cli", "flows", "stages")
        .whereLayer("common")
        .mayOnlyBeAccessedByLayers("cli", "flows", "stages", "shared");
  }

  /** No cycle among the packages under {@code io.churnlake.jobs} (train and score, for one). */
  static ArchRule noPackageCycles() {
    return noPackageCycles("io.churnlake.jobs");
  }

  /** No cycle among the packages directly under {@code root}. */
  static ArchRule noPackageCycles(String root) {
    return slices().matching(root + ".(*)..").should().beFreeOfCycles();
  }

  /** A class with a public {@code apply} that returns a Dataset: a transform (STYLE.md). */
  static final DescribedPredicate<JavaClass> TRANSFORMS =
      DescribedPredicate.describe(
          "are transforms (a public apply returning a Dataset)",
          c ->
              c.getMethods().stream()
                  .anyMatch(
                      (JavaMethod m) ->
                          m.getName().equals("apply")
                              && m.getModifiers()
                                  .contains(com.tngtech.archunit.core.domain.JavaModifier.PUBLIC)
                              && m.getRawReturnType()
                                  .isEquivalentTo(org.apache.spark.sql.Dataset.class)));

  /** Transforms read and write no storage: no table store, no Delta, no file system, no context. */
  static ArchRule transformsDoNoIo() {
    return noClasses()
        .that(TRANSFORMS)
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("io.churnlake.common.table.TableStore")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("io.churnlake.common.table.DeltaTableStore")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("io.churnlake.common.table.KernelTables")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("io.churnlake.jobs.JobContext")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("org.apache.spark.sql.DataFrameReader")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("org.apache.spark.sql.DataFrameWriter")
        .orShould()
        .dependOnClassesThat()
        .resideInAnyPackage("io.delta..", "org.apache.hadoop.fs..", "java.nio.file..");
  }

  @Test
  void layersOnlyLookDown() {
    layers().check(main);
  }

  @Test
  void jobPackagesFormNoCycle() {
    noPackageCycles().check(main);
  }

  @Test
  void transformsReadAndWriteNoStorage() {
    assertThat(main.that(TRANSFORMS)).hasSizeGreaterThan(10);
    transformsDoNoIo().check(main);
  }

  @Test
  void eachRuleFailsOnClassesThatBreakIt() {
    // Invariant: the rules above can fail. Fixtures under the test tree (archfixture) break two:
    // a cycle between two packages (the shape train and score had), a transform reading a table.
    JavaClasses broken = new ClassFileImporter().importPackages("io.churnlake.jobs.archfixture");
    for (ArchRule rule :
        List.of(noPackageCycles("io.churnlake.jobs.archfixture"), transformsDoNoIo())) {
      EvaluationResult result = rule.evaluate(broken);
      assertThat(result.hasViolation()).as(rule.getDescription()).isTrue();
    }
    // A shared class that depends on a stage (the fixture under runs.archfixture) breaks the
    // layers, as TableCatalog did while it read nine schemas from their writers.
    JavaClasses upward =
        new ClassFileImporter()
            .importClasses(
                io.churnlake.jobs.runs.archfixture.LooksUpAtAStage.class,
                io.churnlake.jobs.segment.PlanRetention.class);
    EvaluationResult layered = layers().withOptionalLayers(true).evaluate(upward);
    assertThat(layered.getFailureReport().getDetails())
        .isNotEmpty()
        .allMatch(line -> line.contains("LooksUpAtAStage"));
  }
}
