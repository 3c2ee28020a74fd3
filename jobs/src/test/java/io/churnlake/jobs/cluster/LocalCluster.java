package io.churnlake.jobs.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on this machine from the project's own Maven dependencies (no Docker,
 * no downloads): a master and 1-core workers as separate JVMs bound to 127.0.0.1 on ports chosen
 * free at run time, plus {@code spark-submit} (org.apache.spark.deploy.SparkSubmit) of the shaded
 * jar. Every process it starts (and the executors its workers start) is stopped by {@link #close};
 * every file it writes is under its directory.
 */
final class LocalCluster implements AutoCloseable {
  /** The built jobs module: the shaded jar, the thin jar and its runtime classpath. */
  static final Path TARGET = Path.of("target").toAbsolutePath();

  static final Path CONF = Path.of("..", "conf").toAbsolutePath().normalize();

  private final Path dir;
  private final String classpath;
  private final Map<String, String> env;
  private final List<ProcessHandle> started = new ArrayList<>();
  private final List<Process> workers = new ArrayList<>();
  private final String tmpdir;
  private Process master;
  private int port;

  private LocalCluster(Path dir) throws IOException {
    this.dir = dir;
    String deps = Files.readString(TARGET.resolve("local-classpath.txt")).trim();
    this.classpath = thinJar() + ":" + deps;
    // Executors need a SPARK_HOME whose jars/ holds the runtime jars (symlinks are enough).
    Path jars = Files.createDirectories(dir.resolve("spark-home").resolve("jars"));
    for (String jar : deps.split(":")) {
      Path p = Path.of(jar);
      Path link = jars.resolve(p.getFileName());
      if (!Files.exists(link)) {
        Files.createSymbolicLink(link, p);
      }
    }
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    this.tmpdir = "-Djava.io.tmpdir=" + tmp;
    this.env =
        Map.of(
            "SPARK_LOCAL_DIRS", Files.createDirectories(dir.resolve("local")).toString(),
            "SPARK_HOME", dir.resolve("spark-home").toString(),
            "SPARK_SCALA_VERSION", "2.12",
            "SPARK_LOCAL_IP", "127.0.0.1",
            "SPARK_LOG_DIR", dir.resolve("logs").toString(),
            "SPARK_WORKER_DIR", dir.resolve("work").toString());
  }

  /**
   * The cluster's directory and classpath with no process started: local-mode submissions can run
   * while {@link #start(int)} brings the master and workers up.
   */
  static LocalCluster prepare(Path dir) throws IOException {
    return new LocalCluster(Files.createDirectories(dir));
  }

  /**
   * Starts the master, then all {@code workers} 1-core workers at once, and waits until every one
   * registered (one after another, each worker's start was a wait of its own).
   */
  LocalCluster start(int workers) throws IOException {
    try {
      port = freePort();
      master =
          java(
              "master",
              List.of("-Xmx512m"),
              "org.apache.spark.deploy.master.Master",
              List.of(
                  "--host",
                  "127.0.0.1",
                  "--port",
                  String.valueOf(port),
                  "--webui-port",
                  String.valueOf(freePort())));
      await(
          "the master to be elected",
          Duration.ofMinutes(2),
          () -> log("master").contains("I have been elected leader"));
      List<Integer> launched = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        launched.add(launchWorker());
      }
      for (int n : launched) {
        awaitWorker(n);
      }
      return this;
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Starts a 1-core worker; its number (from 1). */
  private int launchWorker() throws IOException {
    int n = workers.size() + 1;
    Path work = Files.createDirectories(dir.resolve("worker-" + n));
    Process w =
        java(
            "worker-" + n,
            List.of("-Xmx512m"),
            "org.apache.spark.deploy.worker.Worker",
            List.of(
                "--host",
                "127.0.0.1",
                "--cores",
                "1",
                "--memory",
                "2g",
                "--work-dir",
                work.toString(),
                "--webui-port",
                String.valueOf(freePort()),
                masterUrl()));
    workers.add(w);
    return n;
  }

  private void awaitWorker(int n) {
    await(
        "worker " + n + " to register",
        Duration.ofMinutes(2),
        () -> log("worker-" + n).contains("Successfully registered with master"));
  }

  String masterUrl() {
    return "spark://127.0.0.1:" + port;
  }

  Process worker(int n) {
    return workers.get(n - 1);
  }

  /**
   * The number (from 1) of a live worker running an executor, once exactly {@code busy} live
   * workers run one (an executor of an application that ended may take a moment to exit).
   */
  int workerWithExecutors(int busy) {
    int[] found = {0};
    await(
        busy + " workers running an executor",
        Duration.ofMinutes(2),
        () -> {
          List<Integer> running = new ArrayList<>();
          for (int i = 0; i < workers.size(); i++) {
            Process w = workers.get(i);
            if (w.isAlive() && w.descendants().anyMatch(ProcessHandle::isAlive)) {
              running.add(i + 1);
            }
          }
          found[0] = running.isEmpty() ? 0 : running.get(0);
          return running.size() == busy;
        });
    return found[0];
  }

  /**
   * Kills a worker's JVM (SIGKILL, by the PID this cluster started) together with the executors it
   * launched, as a machine failure would, and waits until they are gone.
   */
  void killWorker(int n) throws InterruptedException {
    Process w = worker(n);
    List<ProcessHandle> children = w.descendants().toList();
    w.destroyForcibly().waitFor();
    for (ProcessHandle child : children) {
      child.destroyForcibly();
      child.onExit().join();
    }
  }

  /** Starts {@code main} in a JVM of its own on the runtime classpath; output in NAME.log. */
  Process java(String name, List<String> jvmOptions, String main, List<String> args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmFlags());
    cmd.addAll(jvmOptions);
    cmd.add(tmpdir);
    // Spark's own log configuration (INFO): the cluster tells its state in its logs.
    cmd.add("-Duser.timezone=UTC");
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(main);
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    pb.redirectOutput(dir.resolve(name + ".log").toFile());
    Process p = pb.start();
    started.add(p.toHandle());
    return p;
  }

  /**
   * {@code spark-submit [sparkConf...] --class ChurnlakeCli shaded.jar [cliArgs...]} against {@code
   * master} (this cluster's URL, or local[N] for a reference run); stdout in NAME.out, the log in
   * NAME.log.
   */
  Process submit(String name, String master, List<String> sparkConf, List<String> cliArgs)
      throws IOException {
    return submit(name, master, false, sparkConf, cliArgs);
  }

  /**
   * As {@link #submit(String, String, List, List)}, with {@code --deploy-mode cluster} when {@code
   * inCluster}: the master has a worker launch the driver, and spark-submit waits for it to end
   * ({@code spark.standalone.submit.waitAppCompletion}); the driver gets the JVM flags, time zone
   * and scratch directory a client-mode driver has (its output: {@link #driverOut}).
   */
  Process submit(
      String name, String master, boolean inCluster, List<String> sparkConf, List<String> cliArgs)
      throws IOException {
    List<String> args = new ArrayList<>(List.of("--master", master));
    List<String> conf = new ArrayList<>(sparkConf);
    if (inCluster) {
      args.addAll(List.of("--deploy-mode", "cluster"));
      conf.add("spark.standalone.submit.waitAppCompletion=true");
      conf.add(
          "spark.driver.extraJavaOptions="
              + String.join(" ", jvmFlags())
              + " "
              + tmpdir
              + " -Duser.timezone=UTC -Dlog4j2.configurationFile="
              + CONF.resolve("log4j2.properties"));
    }
    // Scratch files of the driver and executors stay under this cluster's directory.
    conf.add("spark.executor.extraJavaOptions=" + tmpdir);
    for (String kv : conf) {
      args.add("--conf");
      args.add(kv);
    }
    args.addAll(List.of("--class", "io.churnlake.jobs.cli.ChurnlakeCli", shadedJar().toString()));
    args.addAll(cliArgs);
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmFlags());
    cmd.addAll(
        List.of(
            "-Xmx1g",
            tmpdir,
            "-Duser.timezone=UTC",
            "-Dlog4j2.configurationFile=" + CONF.resolve("log4j2.properties"),
            "-cp",
            classpath,
            "org.apache.spark.deploy.SparkSubmit"));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().putAll(env);
    pb.redirectOutput(dir.resolve(name + ".out").toFile());
    pb.redirectError(dir.resolve(name + ".log").toFile());
    Process p = pb.start();
    started.add(p.toHandle());
    return p;
  }

  /** The text of NAME.log so far ("" before it exists). */
  String log(String name) {
    return read(dir.resolve(name + ".log"));
  }

  /**
   * The standard output of the driver that ran churnlake run {@code runId} in cluster deploy mode:
   * a worker keeps each driver's output in its work directory ({@code driver-<id>/stdout}, its log
   * in {@code stderr}, where the run id appears); "" when no such driver is found.
   */
  String driverOut(String runId) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(f -> f.getFileName().toString().equals("stderr"))
          .filter(f -> f.getParent().getFileName().toString().startsWith("driver-"))
          .filter(f -> read(f).contains("(run " + runId + ")"))
          .findFirst()
          .map(f -> read(f.resolveSibling("stdout")))
          .orElse("");
    }
  }

  /** The standard output of a submitted NAME. */
  String out(String name) {
    return read(dir.resolve(name + ".out"));
  }

  Path dir() {
    return dir;
  }

  /** Stops every process this cluster started, executors included, and waits for them. */
  @Override
  public void close() {
    List<ProcessHandle> all = new ArrayList<>();
    for (ProcessHandle p : started) {
      all.addAll(p.descendants().toList());
      all.add(p);
    }
    for (ProcessHandle p : all) {
      p.destroyForcibly();
    }
    for (ProcessHandle p : all) {
      p.onExit().join();
    }
  }

  static void await(String what, Duration limit, BooleanSupplier done) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + limit + " waiting for " + what);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> jvmFlags() throws IOException {
    return Files.readAllLines(CONF.resolve("jvm-flags")).stream()
        .map(String::trim)
        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .toList();
  }

  private static Path shadedJar() throws IOException {
    return only("shaded", n -> n.endsWith("-all.jar"));
  }

  private static Path thinJar() throws IOException {
    return only("thin", n -> n.matches("churnlake-jobs-[0-9][^/]*[0-9T]\\.jar"));
  }

  private static Path only(String what, java.util.function.Predicate<String> name)
      throws IOException {
    try (Stream<Path> files = Files.list(TARGET)) {
      List<Path> jars =
          files
              .filter(p -> p.getFileName().toString().startsWith("churnlake-jobs-"))
              .filter(p -> name.test(p.getFileName().toString()))
              .toList();
      if (jars.size() != 1) {
        throw new IllegalStateException(
            "expected one "
                + what
                + " churnlake-jobs jar in "
                + TARGET
                + ", found "
                + jars
                + ": run the package phase first (mvn verify -Pcluster)");
      }
      return jars.get(0);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
