"""Apache Airflow DAG: churnlake's nightly flow, once a day, for the day that just ended.

Copy this file into the DAGs folder and set the Airflow Variables:
  churnlake_jar     path or URI of churnlake-jobs-<version>-all.jar reachable by spark-submit
  churnlake_config  path of the cluster config (e.g. conf/cluster/yarn.conf)
  churnlake_client_jar  (optional) a local path of that jar on the Airflow worker, for `status`
                    (java only); defaults to churnlake_jar
and a Spark connection "spark_churnlake" whose host is the master (yarn, spark://..., k8s://...).

Why one task: `nightly` is one idempotent command (ingest, features, train when due, score, clv,
segment, kpis, report). Retrying it is always safe: files already ingested are skipped, every
date's rows are replaced atomically, and a run killed half-way leaves each table as it was or as
the finished stage wrote it. Exit codes (docs/operations.md, "Exit codes"): 0 done; 1 failed (retry); 2
usage or configuration error (retries will not help: the task fails at once, without retries); 3
another nightly for the same date holds the lease (this try changed nothing; the retry comes after
the other run).

Each try passes its own run id (`--run-id churnlake-nightly-<ds>-try<n>`) and, whatever
spark-submit returned, reads back the exit code that run recorded in `pipeline_runs`
(`churnlake status --run ID --exit-code`, run with `java` on this worker: Delta Kernel reads the
ledger, no Spark application): in cluster deploy mode (standalone, YARN, Kubernetes) spark-submit
does not return the driver's exit code, so the recorded one is what decides. A try that recorded
no outcome (its driver never started, or died) counts as exit 1 and is retried.

Runs on Airflow 2.x and 3.x: the imports fall back to 2.x's paths, and no `sla` is set (Airflow 3
removed SLAs; use a deadline alert there, or `sla` on 2.x, for "the plan is not ready by 07:00").
"""

from datetime import datetime, timedelta

try:  # Airflow 3
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.x
    from airflow import DAG
from airflow.exceptions import AirflowException, AirflowFailException
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
except ImportError:  # Airflow 2.x
    from airflow.operators.bash import BashOperator

# Exit codes (docs/operations.md): what each one makes of the try.
DONE, FAILED, CONFIGURATION, LEASE_HELD = 0, 1, 2, 3


def action_for(code):
    """'done', 'fail' (no retry: the configuration or arguments are wrong) or 'retry'."""
    if code == DONE:
        return "done"
    if code == CONFIGURATION:
        return "fail"
    return "retry"  # 1: failed or no outcome recorded; 3: another run holds the lease


def recorded_exit_code(jar, config, run_id):
    """The exit code run_id recorded, read by `churnlake status` in a plain JVM (no Spark)."""
    import subprocess

    status = subprocess.run(
        ["java", "-cp", jar, "io.churnlake.jobs.cli.ChurnlakeCli", "--config", config,
         "status", "--run", run_id, "--exit-code"],
        capture_output=True, text=True, check=False,
    )
    print(status.stdout + status.stderr)
    return status.returncode


class ChurnlakeSubmitOperator(SparkSubmitOperator):
    """spark-submit of a churnlake command with a run id; the run's recorded exit code decides."""

    template_fields = tuple(SparkSubmitOperator.template_fields) + (
        "config", "client_jar", "run_id_template",
    )

    def __init__(self, *, config, client_jar, run_id_template, **kwargs):
        super().__init__(**kwargs)
        self.config = config
        self.client_jar = client_jar
        self.run_id_template = run_id_template

    def execute(self, context):
        run_id = "%s-try%d" % (self.run_id_template, context["ti"].try_number)
        self.application_args = ["--run-id", run_id] + list(self.application_args)
        submit_error = None
        try:
            super().execute(context)
        except AirflowException as e:  # cluster deploy mode may report failure or not: read back
            submit_error = e
        code = recorded_exit_code(self.client_jar, self.config, run_id)
        action = action_for(code)
        if action == "done":
            return run_id
        if action == "fail":
            raise AirflowFailException(
                "churnlake run %s refused its configuration or arguments (exit 2): fix them; "
                "retrying cannot help" % run_id
            )
        raise AirflowException(
            "churnlake run %s ended with exit %d (%s); retrying resumes it%s"
            % (run_id, code, "another run holds the lease" if code == LEASE_HELD else "failed",
               "" if submit_error is None else ": " + str(submit_error))
        )


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
        config="{{ var.value.churnlake_config }}",
        # A local copy of the jar for `status` on this worker (java only, no Spark).
        client_jar="{{ var.value.get('churnlake_client_jar', var.value.churnlake_jar) }}",
        run_id_template="churnlake-nightly-{{ ds }}",
        name="churnlake-nightly-{{ ds }}",
        conf={
            "spark.sql.adaptive.enabled": "true",
            # Standalone cluster deploy mode: wait for the driver, so the outcome is there to read.
            "spark.standalone.submit.waitAppCompletion": "true",
        },
        verbose=False,
    )

    # The run ledger after the run, in the task log: `status` with java on this worker, no Spark.
    status = BashOperator(
        task_id="status",
        bash_command=(
            "java -cp {{ var.value.get('churnlake_client_jar', var.value.churnlake_jar) }} "
            "io.churnlake.jobs.cli.ChurnlakeCli --config {{ var.value.churnlake_config }} "
            "status --runs 1"
        ),
        trigger_rule="all_done",
        retries=0,
    )

    nightly >> status
