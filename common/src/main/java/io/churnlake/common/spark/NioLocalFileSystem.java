package io.churnlake.common.spark;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFs;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FsConstants;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system without a process per file. Without Hadoop's native library (which
 * Spark's jars do not ship), {@link RawLocalFileSystem} sets the permission of every file and
 * directory it creates by running {@code chmod}, and resolves links for a rename by running {@code
 * readlink}: a test class of Delta commits forked 2,364 processes in 70 seconds. This one does both
 * through {@code java.nio}, in the JVM. Everything else is Hadoop's own (checksums included).
 *
 * <p>Installed for local masters only ({@link ChurnSpark#applySessionSettings}): executors of a
 * cluster load it from the application jar, and a cluster's warehouse is on HDFS or an object store
 * anyway. The sticky bit of a permission is not set (nothing churnlake creates asks for one).
 */
public class NioLocalFileSystem extends LocalFileSystem {
  public NioLocalFileSystem() {
    super(new Raw());
  }

  /** The raw local file system with permissions and link checks in the JVM. */
  public static class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      Files.setPosixFilePermissions(pathToFile(p).toPath(), posix(permission.toShort()));
    }

    /**
     * Hadoop's answer for a file or directory that is no symbolic link is its status; only a link
     * takes Hadoop's own way (which runs {@code readlink}).
     */
    @Override
    public FileStatus getFileLinkStatus(Path f) throws IOException {
      if (!Files.isSymbolicLink(pathToFile(f).toPath())) {
        return getFileStatus(f);
      }
      return super.getFileLinkStatus(f);
    }
  }

  /** The {@code FileContext} side (Delta's log store renames through it), over {@link Raw}. */
  public static class Fs extends ChecksumFs {
    public Fs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(new RawFs(uri, conf));
    }
  }

  /** As Hadoop's {@code org.apache.hadoop.fs.local.RawLocalFs}, delegating to {@link Raw}. */
  public static class RawFs extends DelegateToFileSystem {
    public RawFs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(uri, new Raw(), conf, FsConstants.LOCAL_FS_URI.getScheme(), false);
    }

    @Override
    public int getUriDefaultPort() {
      return -1; // no default port for file:///
    }

    @Override
    public boolean isValidName(String src) {
      return true; // different from HDFS: any local name is valid
    }
  }

  /** The owner, group and other bits of a Unix mode, in Hadoop's own symbolic form. */
  static Set<PosixFilePermission> posix(int mode) {
    return PosixFilePermissions.fromString(new FsPermission((short) (mode & 0777)).toString());
  }
}
