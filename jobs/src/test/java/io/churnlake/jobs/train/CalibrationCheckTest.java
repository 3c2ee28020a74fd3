package io.churnlake.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.churnlake.common.testing.SparkTestBase;
import io.churnlake.jobs.model.ChurnPipelines;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Invariant: isotonic calibration is kept when it lowers the out-of-fold calibration error and
 * refused when it raises it; the ECE is the binned |mean probability - churn rate|. The classifier
 * here is a fixed pipeline whose probability is 0.5 for everyone, and the labels are placed by the
 * same customer-id hash that splits the folds.
 */
class CalibrationCheckTest extends SparkTestBase {
  private static final StructType ROWS =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add(ChurnPipelines.LABEL, DataTypes.DoubleType)
          .add("m0", DataTypes.DoubleType)
          .add("m1", DataTypes.DoubleType)
          .add("p0", DataTypes.DoubleType)
          .add("p1", DataTypes.DoubleType);

  /** A "classifier" that says 0.5 (margin 0) for everyone. */
  private static PipelineModel constant(Dataset<Row> rows) {
    PipelineStage[] stages = {
      new VectorAssembler().setInputCols(new String[] {"m0", "m1"}).setOutputCol("rawPrediction"),
      new VectorAssembler().setInputCols(new String[] {"p0", "p1"}).setOutputCol("probability")
    };
    return new Pipeline().setStages(stages).fit(rows);
  }

  /** 400 customers; {@code churns} decides each one's label from its fold and index. */
  private Dataset<Row> rows(java.util.function.BiPredicate<Long, Integer> churns) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      ids.add("c" + i);
    }
    List<Row> folds =
        spark()
            .createDataset(ids, org.apache.spark.sql.Encoders.STRING())
            .toDF("customer_id")
            .selectExpr("customer_id", "pmod(xxhash64(customer_id), 2) AS fold")
            .collectAsList();
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < folds.size(); i++) {
      boolean y = churns.test(folds.get(i).getLong(1), i);
      out.add(RowFactory.create(folds.get(i).getString(0), y ? 1.0 : 0.0, 0.0, 0.0, 0.5, 0.5));
    }
    return spark().createDataFrame(out, ROWS);
  }

  @Test
  void calibrationThatFixesAShiftedProbabilityIsKept() {
    // One customer in five churns in each fold: 0.5 is 0.3 too high, isotonic learns 0.2.
    Dataset<Row> rows = rows((fold, i) -> i % 5 == 0);
    CalibrationCheck.Verdict v = CalibrationCheck.of(constant(rows), rows);
    assertThat(v.keep()).isTrue();
    assertThat(v.rawEce()).isCloseTo(0.3, within(1e-9));
    assertThat(v.calibratedEce()).isLessThan(0.1); // the folds churn at about, not exactly, 0.2
    assertThat(v.rows()).isEqualTo(400);
    assertThat(v.describe()).startsWith("kept: out-of-fold ECE ");
  }

  @Test
  void calibrationThatLearnsOneFoldsAccidentIsRefused() {
    // Fold 0 churns 90%, fold 1 10%: the classifier's 0.5 is right overall, each half's isotonic
    // map is wrong for the other half.
    Dataset<Row> rows = rows((fold, i) -> fold == 0 ? i % 10 != 0 : i % 10 == 0);
    CalibrationCheck.Verdict v = CalibrationCheck.of(constant(rows), rows);
    assertThat(v.keep()).isFalse();
    assertThat(v.calibratedEce()).isGreaterThan(v.rawEce());
    assertThat(v.describe())
        .startsWith("refused, it made the calibration error worse: out-of-fold ECE ");
  }
}
