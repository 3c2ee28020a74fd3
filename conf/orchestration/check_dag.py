"""Checks the DAG's outcome handling without Airflow (CI has none): stand-in modules for the few
Airflow names it imports, then each recorded exit code through ChurnlakeSubmitOperator.execute.

Run: python3 conf/orchestration/check_dag.py  (exits non-zero when a check fails)
"""

import importlib.util
import os
import sys
import types


class AirflowException(Exception):
    pass


class AirflowFailException(AirflowException):
    pass


class SparkSubmitOperator:
    template_fields = ("application", "application_args", "conf", "name")
    submit_fails = False

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)

    def __rshift__(self, other):
        return other

    def execute(self, context):
        self.submitted_args = list(self.application_args)
        if SparkSubmitOperator.submit_fails:
            raise AirflowException("Cannot execute: spark-submit ... Error code is: 1.")


class BashOperator:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    def __rshift__(self, other):
        return other


class DAG:
    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def module(name, **names):
    m = types.ModuleType(name)
    m.__dict__.update(names)
    sys.modules[name] = m


module("airflow", DAG=DAG)
module("airflow.exceptions", AirflowException=AirflowException,
       AirflowFailException=AirflowFailException)
module("airflow.providers")
module("airflow.providers.apache")
module("airflow.providers.apache.spark")
module("airflow.providers.apache.spark.operators")
module("airflow.providers.apache.spark.operators.spark_submit",
       SparkSubmitOperator=SparkSubmitOperator)
module("airflow.operators")
module("airflow.operators.bash", BashOperator=BashOperator)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "churnlake_nightly_dag.py")
spec = importlib.util.spec_from_file_location("churnlake_nightly_dag", path)
dag = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dag)

failures = []


def check(what, ok):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def outcome(code, submit_fails):
    op = dag.ChurnlakeSubmitOperator(
        task_id="nightly", application="app.jar", application_args=["nightly", "--as-of", "D"],
        config="c.conf", client_jar="app.jar", run_id_template="churnlake-nightly-D")
    asked = []
    dag.recorded_exit_code = lambda jar, config, run_id: asked.append(run_id) or code
    SparkSubmitOperator.submit_fails = submit_fails

    class TI:
        try_number = 2

    try:
        op.execute({"ti": TI()})
        result = "done"
    except AirflowFailException:
        result = "fail"
    except AirflowException:
        result = "retry"
    return result, asked, op.submitted_args


for code, submit_fails, expected in [
    (0, False, "done"),
    (0, True, "done"),  # the driver's outcome decides, not spark-submit's
    (1, False, "retry"),  # cluster deploy mode: spark-submit said nothing; the run failed
    (1, True, "retry"),
    (2, False, "fail"),  # configuration: no retry
    (2, True, "fail"),
    (3, True, "retry"),  # another run holds the lease
]:
    result, asked, args = outcome(code, submit_fails)
    check("exit %d, spark-submit %s: %s" % (code, "failed" if submit_fails else "ok", expected),
          result == expected)
    check("the try's run id is passed and read back",
          asked == ["churnlake-nightly-D-try2"]
          and args[:2] == ["--run-id", "churnlake-nightly-D-try2"])
check("action_for maps every exit code",
      [dag.action_for(c) for c in (0, 1, 2, 3)] == ["done", "retry", "fail", "retry"])
check("the status task runs java, not spark-submit",
      dag.status.bash_command.startswith("java -cp "))
sys.exit(1 if failures else 0)
