package io.churnlake.jobs.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnlake.common.errors.ChurnErrors;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;

/**
 * Versioned churn models under {@code <warehouse>/_models/churn/vNNNN/} (a Spark ML {@code
 * pipeline/} and {@code metadata.json}). Works on any Hadoop file system.
 */
public final class ModelRegistry {
  private static final Pattern VERSION = Pattern.compile("v(\\d{4,})");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path root;
  private final Configuration hadoop;

  public ModelRegistry(String warehouse, Configuration hadoop) {
    this(warehouse, "churn", hadoop);
  }

  /**
   * The registry of one kind of model under {@code <warehouse>/_models/<kind>} ({@code churn},
   * {@code uplift}).
   */
  public ModelRegistry(String warehouse, String kind, Configuration hadoop) {
    this.root = new Path(warehouse, "_models/" + kind);
    this.hadoop = hadoop;
  }

  public String location() {
    return root.toString();
  }

  /** The newest complete model, if any. */
  public Optional<ModelInfo> latest() {
    int newest = newestNumber(true);
    return newest < 0 ? Optional.empty() : Optional.of(readInfo(versionName(newest)));
  }

  /** A complete model by version, if present. */
  public Optional<ModelInfo> find(String version) {
    try {
      if (!VERSION.matcher(version).matches()
          || !fs().exists(new Path(new Path(root, version), "metadata.json"))) {
        return Optional.empty();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Optional.of(readInfo(version));
  }

  /** Versions of every complete model, oldest first. */
  public java.util.List<String> versions() {
    java.util.List<String> out = new java.util.ArrayList<>();
    try {
      FileSystem fs = fs();
      if (!fs.exists(root)) {
        return out;
      }
      for (FileStatus s : fs.listStatus(root)) {
        if (s.isDirectory()
            && VERSION.matcher(s.getPath().getName()).matches()
            && fs.exists(new Path(s.getPath(), "metadata.json"))) {
          out.add(s.getPath().getName());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    java.util.Collections.sort(out);
    return out;
  }

  /** The version a new model gets: one past any directory already present, complete or not. */
  public String nextVersion() {
    return versionName(newestNumber(false) + 1);
  }

  public void save(PipelineModel model, ModelInfo info) {
    save(model, info, dir -> {});
  }

  /**
   * Saves the pipeline, then lets {@code extras} write more files into the model's directory
   * (plots), then writes {@code metadata.json} last: a model without it is incomplete.
   */
  public void save(PipelineModel model, ModelInfo info, java.util.function.Consumer<Path> extras) {
    Path dir = new Path(root, info.version());
    try {
      model.write().overwrite().save(new Path(dir, "pipeline").toString());
      extras.accept(dir);
      FileSystem fs = fs();
      try (OutputStream out = fs.create(new Path(dir, "metadata.json"), true)) {
        JSON.writerWithDefaultPrettyPrinter().writeValue(out, info);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Saves one version's named pipelines (a model of several, such as the uplift learner's treated
   * and control pipelines), then {@code metadata} as {@code metadata.json} last: a version without
   * it is incomplete.
   */
  public void save(String version, Map<String, PipelineModel> pipelines, Object metadata) {
    Path dir = new Path(root, version);
    try {
      for (Map.Entry<String, PipelineModel> p : pipelines.entrySet()) {
        p.getValue().write().overwrite().save(new Path(dir, p.getKey()).toString());
      }
      try (OutputStream out = fs().create(new Path(dir, "metadata.json"), true)) {
        JSON.writerWithDefaultPrettyPrinter().writeValue(out, metadata);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One named pipeline of a version saved by {@link #save(String, Map, Object)}. */
  public PipelineModel load(String version, String name) {
    String path = new Path(new Path(root, version), name).toString();
    try {
      return PipelineModel.load(path);
    } catch (RuntimeException e) {
      throw ChurnErrors.modelUnreadable(path, e);
    }
  }

  /** The directory of a model version. */
  public Path directory(String version) {
    return new Path(root, version);
  }

  public PipelineModel load(ModelInfo info) {
    String path = new Path(new Path(root, info.version()), "pipeline").toString();
    try {
      return PipelineModel.load(path);
    } catch (RuntimeException e) {
      throw ChurnErrors.modelUnreadable(path, e);
    }
  }

  private ModelInfo readInfo(String version) {
    try (InputStream in = fs().open(new Path(new Path(root, version), "metadata.json"))) {
      return JSON.readValue(in, ModelInfo.class);
    } catch (IOException e) {
      throw ChurnErrors.modelUnreadable(new Path(root, version).toString(), e);
    }
  }

  private int newestNumber(boolean completeOnly) {
    try {
      FileSystem fs = fs();
      if (!fs.exists(root)) {
        return -1;
      }
      int newest = -1;
      for (FileStatus s : fs.listStatus(root)) {
        Matcher m = VERSION.matcher(s.getPath().getName());
        if (s.isDirectory()
            && m.matches()
            && (!completeOnly || fs.exists(new Path(s.getPath(), "metadata.json")))) {
          newest = Math.max(newest, Integer.parseInt(m.group(1)));
        }
      }
      return newest;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String versionName(int n) {
    return String.format("v%04d", n);
  }

  private FileSystem fs() throws IOException {
    return root.getFileSystem(hadoop);
  }
}
