"""Apache Airflow DAG: churnlake's nightly flow, once a day, for the day that just ended.

Copy this file into the DAGs folder and set the Airflow Variables:
  churnlake_jar     path or URI of churnlake-jobs-<version>-all.jar reachable by spark-submit
  churnlake_config  path of the cluster config (e.g. conf/cluster/yarn.conf)
and a Spark connection "spark_churnlake" whose host is the master (yarn, spark://..., k8s://...).

Why one task: `nightly` is one idempotent command (ingest, features, train when due, score, clv,
segment, kpis, report). Retrying it is always safe: files already ingested are skipped, every
date's rows are replaced atomically, and a run killed half-way leaves each table as it was or as
the finished stage wrote it. Exit codes (docs/operations.md, "Exit codes"): 0 done; 1 failed (retry); 2
usage or configuration error (retries will not help: the task fails at once, without retries); 3
another nightly for the same date holds the lease (this try changed nothing; the retry comes after
the other run).

The exit code reaches Airflow in client deploy mode (spark-submit returns the driver's exit code);
in YARN or Kubernetes cluster deploy mode spark-submit reports only whether the application
succeeded, so every failure is retried there and `status` (or `pipeline_runs`) tells why.

Runs on Airflow 2.x and 3.x: the imports fall back to 2.x's paths, and no `sla` is set (Airflow 3
removed SLAs; use a deadline alert there, or `sla` on 2.x, for "the plan is not ready by 07:00").
"""

import re
from datetime import datetime, timedelta

try:  # Airflow 3
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.x
    from airflow import DAG
from airflow.exceptions import AirflowException, AirflowFailException
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

# spark-submit's return code as the Spark provider reports it ("... Error code is: 2.").
_EXIT_CODE = re.compile(r"Error code is: (\d+)")


class ChurnlakeSubmitOperator(SparkSubmitOperator):
    """spark-submit of a churnlake command; exit code 2 (usage or configuration) is not retried."""

    def execute(self, context):
        try:
            return super().execute(context)
        except AirflowException as e:
            code = _EXIT_CODE.search(str(e))
            if code and code.group(1) == "2":
                raise AirflowFailException(
                    "churnlake refused its configuration or arguments (exit 2): fix them; "
                    "retrying cannot help. " + str(e)
                ) from e
            raise

default_args = {
    "owner": "data-engineering",
    # nightly is idempotent: retries after a lost executor, a killed driver or a busy lease are
    # safe and resume from what is already committed.
    # Exit 2 is never retried (ChurnlakeSubmitOperator); exit 3 (the lease is held) waits for the
    # other run to finish.
    "retries": 3,
    "retry_delay": timedelta(minutes=20),
    "retry_exponential_backoff": True,
    "execution_timeout": timedelta(hours=4),
}

with DAG(
    dag_id="churnlake_nightly",
    description="churnlake nightly: ingest, features, models, value, plan, KPIs, report",
    schedule="0 2 * * *",  # 02:00, when the day's raw files have landed
    start_date=datetime(2026, 1, 1),
    # Past dates: run `churnlake nightly --as-of D` for each date in order (or enable catch-up).
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["churnlake"],
) as dag:
    nightly = ChurnlakeSubmitOperator(
        task_id="nightly",
        conn_id="spark_churnlake",
        application="{{ var.value.churnlake_jar }}",
        java_class="io.churnlake.jobs.cli.ChurnlakeCli",
        # The as-of date is the day that ended: Airflow's data interval start.
        application_args=[
            "--config", "{{ var.value.churnlake_config }}",
            "nightly", "--as-of", "{{ ds }}",
        ],
        name="churnlake-nightly-{{ ds }}",
        conf={
            "spark.sql.adaptive.enabled": "true",
        },
        verbose=False,
    )

    # Optional: print the run ledger after the run, so the task log shows every stage's status.
    status = ChurnlakeSubmitOperator(
        task_id="status",
        conn_id="spark_churnlake",
        application="{{ var.value.churnlake_jar }}",
        java_class="io.churnlake.jobs.cli.ChurnlakeCli",
        application_args=["--config", "{{ var.value.churnlake_config }}", "status", "--runs", "1"],
        name="churnlake-status-{{ ds }}",
        trigger_rule="all_done",
        retries=0,
    )

    nightly >> status
