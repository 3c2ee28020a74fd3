package io.churnlake.common.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant: the local file system churnlake installs for local masters leaves files as Hadoop's
 * own would (mode after the umask, checksums beside them, renames through FileContext as Delta's
 * log store does them), without starting a process per file.
 */
class NioLocalFileSystemTest {
  @TempDir java.nio.file.Path dir;

  private static Configuration conf() {
    Configuration conf = new Configuration(false);
    SparkConf spark = ChurnSpark.applySessionSettings(new SparkConf(false).setMaster("local[2]"));
    for (scala.Tuple2<String, String> kv : spark.getAllWithPrefix("spark.hadoop.")) {
      conf.set(kv._1(), kv._2());
    }
    conf.set("fs.permissions.umask-mode", "022");
    conf.setBoolean("fs.file.impl.disable.cache", true);
    return conf;
  }

  @Test
  void localMastersGetItAndClustersKeepHadoops() {
    SparkConf local = ChurnSpark.applySessionSettings(new SparkConf(false).setMaster("local[*]"));
    assertThat(local.get("spark.hadoop.fs.file.impl"))
        .isEqualTo("io.churnlake.common.spark.NioLocalFileSystem");
    assertThat(local.get("spark.hadoop.fs.AbstractFileSystem.file.impl"))
        .isEqualTo("io.churnlake.common.spark.NioLocalFileSystem$Fs");
    SparkConf cluster =
        ChurnSpark.applySessionSettings(new SparkConf(false).setMaster("spark://127.0.0.1:7077"));
    assertThat(cluster.contains("spark.hadoop.fs.file.impl")).isFalse();
    assertThat(cluster.contains("spark.hadoop.fs.AbstractFileSystem.file.impl")).isFalse();
  }

  @Test
  void filesAndDirectoriesGetHadoopsModesAndChecksums() throws Exception {
    FileSystem fs = FileSystem.get(dir.toUri(), conf());
    assertThat(fs).isInstanceOf(NioLocalFileSystem.class);
    Path file = new Path(dir.toUri().toString(), "a/b/part-0.txt");
    try (FSDataOutputStream out = fs.create(file)) {
      out.write("churn".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a/b"))))
        .isEqualTo("rwxr-xr-x");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("a/b/part-0.txt"))))
        .isEqualTo("rw-r--r--");
    assertThat(dir.resolve("a/b/.part-0.txt.crc")).exists();
    fs.setPermission(file, new FsPermission((short) 0640));
    assertThat(fs.getFileStatus(file).getPermission().toString()).isEqualTo("rw-r-----");
    assertThat(fs.getFileLinkStatus(file).getLen()).isEqualTo(5);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> fs.getFileLinkStatus(new Path(dir.toUri().toString(), "missing")))
        .isInstanceOf(FileNotFoundException.class);
  }

  @Test
  void fileContextRenamesLikeDeltasLogStore() throws Exception {
    FileContext fc = FileContext.getFileContext(dir.toUri(), conf());
    Path tmp = new Path(dir.toUri().toString(), "_delta_log/.00000.json.tmp");
    try (FSDataOutputStream out =
        fc.create(
            tmp,
            java.util.EnumSet.of(org.apache.hadoop.fs.CreateFlag.CREATE),
            Options.CreateOpts.createParent())) {
      out.write("{}".getBytes(StandardCharsets.UTF_8));
    }
    Path committed = new Path(dir.toUri().toString(), "_delta_log/00000.json");
    fc.rename(tmp, committed, Options.Rename.NONE);
    assertThat(Files.readString(dir.resolve("_delta_log/00000.json"))).isEqualTo("{}");
    assertThat(dir.resolve("_delta_log/.00000.json.tmp")).doesNotExist();
    // A second commit of the same version must fail, as Delta's mutual exclusion expects.
    try (FSDataOutputStream out =
        fc.create(tmp, java.util.EnumSet.of(org.apache.hadoop.fs.CreateFlag.CREATE))) {
      out.write("{}".getBytes(StandardCharsets.UTF_8));
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> fc.rename(tmp, committed, Options.Rename.NONE))
        .isInstanceOf(org.apache.hadoop.fs.FileAlreadyExistsException.class);
  }

  @Test
  void modesMapBitForBit() {
    assertThat(PosixFilePermissions.toString(NioLocalFileSystem.posix(0644)))
        .isEqualTo("rw-r--r--");
    assertThat(PosixFilePermissions.toString(NioLocalFileSystem.posix(0755)))
        .isEqualTo("rwxr-xr-x");
    assertThat(PosixFilePermissions.toString(NioLocalFileSystem.posix(0421)))
        .isEqualTo("r---w---x");
    assertThat(NioLocalFileSystem.posix(0)).isEmpty();
  }
}
