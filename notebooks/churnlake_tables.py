"""churnlake's tables as pandas DataFrames, for notebooks without PySpark.

Starts a JVM inside this Python process with JPype (Debian: python3-jpype), on the project's full
runtime classpath (the build's jar plus jobs/target/local-classpath.txt; the shaded "-all" jar
alone has no Spark), with the Java 17 flags Spark needs (conf/jvm-flags, shared with the
./churnlake launcher), and opens io.churnlake.jobs.sql.TableSession: a local Spark session on the
configured warehouse with every churnlake table registered under its name.

    import churnlake_tables as ct
    tables = ct.connect(warehouse="/data/churnlake/warehouse")
    top = tables.query("SELECT * FROM risk_segments WHERE segment = 'high value, high risk'")

Only one JVM can live in a Python process: connect() once per kernel (later calls return the same
session). Every query says how many rows it may bring back (limit, default 100,000) and fails
beyond that: aggregate in SQL, the tables can hold millions of customers.
"""

import atexit
import json
import os
import subprocess
from pathlib import Path

import pandas as pd

PROJECT = Path(__file__).resolve().parent.parent
_SESSION = None


class ChurnlakeError(RuntimeError):
    """A churnlake refusal (bad query, too many rows, missing table), one line."""


def _classpath(project):
    target = project / "jobs" / "target"
    cp_file = target / "local-classpath.txt"
    jars = sorted(p for p in target.glob("churnlake-jobs-*.jar") if not p.name.endswith("-all.jar"))
    if not cp_file.exists() or not jars:
        # The launcher builds the project on first use (./mvnw install -DskipTests).
        subprocess.run([str(project / "churnlake"), "--version"], check=True,
                       stdout=subprocess.DEVNULL)
        jars = sorted(p for p in target.glob("churnlake-jobs-*.jar")
                      if not p.name.endswith("-all.jar"))
    return [str(jars[0])] + cp_file.read_text().strip().split(os.pathsep)


def _start_jvm(project, memory):
    import jpype

    if jpype.isJVMStarted():
        return
    # Local Spark binds its driver and block manager to loopback only, as the launcher does.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    flags = [line.strip() for line in (project / "conf" / "jvm-flags").read_text().splitlines()
             if line.strip()]
    flags += ["-Xmx" + memory, "-Duser.timezone=UTC",
              "-Dlog4j2.configurationFile=" + str(project / "conf" / "log4j2.properties")]
    classpath = _classpath(project)
    # JPype's own support jar: pip puts it beside the module, Debian in /usr/share/java, where
    # JPype 1.4 does not look by itself (ClassNotFoundException: ...DynamicClassLoader).
    for support in (Path(jpype.__file__).parent.parent / "org.jpype.jar",
                    Path("/usr/share/java/org.jpype.jar")):
        if support.exists():
            classpath.append(str(support))
            break
    jpype.startJVM(jpype.getDefaultJVMPath(), *flags, classpath=classpath, convertStrings=True)


class Tables:
    """A TableSession seen from Python."""

    def __init__(self, session):
        self._session = session

    @property
    def warehouse(self):
        return str(self._session.warehouse())

    def names(self):
        """The churnlake tables that exist in the warehouse."""
        return [str(n) for n in self._session.tables()]

    def refresh(self):
        """Registers tables again, e.g. after a nightly run wrote new versions."""
        self._session.register()

    def query(self, sql, limit=100_000):
        """Runs Spark SQL over the tables and returns at most `limit` rows as a DataFrame.

        Dates and timestamps become pandas datetimes; arrays of structs (the drivers) stay lists of
        dicts. Raises ChurnlakeError with churnlake's one-line message when the query is refused.
        """
        import jpype

        try:
            lines = self._session.query(sql, int(limit))
        except jpype.JException as e:
            raise ChurnlakeError(str(e.getMessage())) from None
        schema = json.loads(str(lines[0]))
        rows = [json.loads(str(line)) for line in lines[1:]]
        fields = schema["fields"]
        frame = pd.DataFrame.from_records(rows, columns=[f["name"] for f in fields])
        for f in fields:
            if f["type"] in ("date", "timestamp", "timestamp_ntz"):
                frame[f["name"]] = pd.to_datetime(frame[f["name"]], utc=f["type"] == "timestamp")
            elif f["type"] in ("string", "boolean"):
                # A column of nulls would otherwise come out as floats.
                frame[f["name"]] = frame[f["name"]].astype(object)
        return frame

    def spark(self):
        """The JVM's SparkSession object (Java API through JPype) for anything SQL does not cover."""
        return self._session.spark()


def connect(warehouse=None, config=None, overrides=(), memory="2g", project=None):
    """Opens churnlake's tables.

    warehouse: the warehouse directory or URI (e.g. s3a://bucket/churnlake/warehouse); default
        the configuration's (conf/churnlake.conf: ./warehouse relative to the working directory).
    config: a HOCON file such as conf/cluster/prod.conf (its spark.extra keys configure object
        stores); overrides: more "key=value" settings, as ./churnlake --set takes them.
    """
    global _SESSION
    if _SESSION is not None:
        return _SESSION
    project = Path(project) if project else PROJECT
    _start_jvm(project, memory)
    import jpype

    settings = list(overrides)
    if warehouse is not None:
        settings.append("warehouse=" + json.dumps(str(warehouse)))
    files = [str(config)] if config else []
    TableSession = jpype.JClass("io.churnlake.jobs.sql.TableSession")
    try:
        session = TableSession.open(jpype.JArray(jpype.JString)(files),
                                    jpype.JArray(jpype.JString)(settings))
    except jpype.JException as e:
        raise ChurnlakeError(str(e.getMessage())) from None
    _SESSION = Tables(session)
    # Stop Spark before JPype shuts the JVM down, so that Hadoop's shutdown hooks end cleanly.
    atexit.register(session.close)
    return _SESSION
