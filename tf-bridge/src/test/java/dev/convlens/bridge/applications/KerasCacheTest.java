package dev.convlens.bridge.applications;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.ConvlensException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every test here stays off the network: downloads go through a stand-in {@link Downloader}. */
class KerasCacheTest {
  /** RFC 1321 test suite: MD5("abc"). */
  private static final String MD5_ABC = "900150983cd24fb0d6963f7d28e17f72";
  private static final URI NOWHERE = URI.create("https://example.invalid/abc.bin");
  private static final WeightFile ABC = new WeightFile("abc.bin", MD5_ABC, NOWHERE);

  @TempDir
  Path home;

  @Test
  void md5OfKnownBytes() throws IOException {
    Path f = Files.writeString(home.resolve("abc"), "abc", StandardCharsets.US_ASCII);
    assertEquals(MD5_ABC, Md5.of(f));
    Path empty = Files.write(home.resolve("empty"), new byte[0]);
    assertEquals("d41d8cd98f00b204e9800998ecf8427e", Md5.of(empty));
  }

  @Test
  void findLooksInKerasHomeModels() throws IOException {
    KerasCache cache = new KerasCache(home);
    assertEquals(List.of(home.resolve("models")), cache.searchDirectories());
    assertEquals(Optional.empty(), cache.find("abc.bin"));
    Path cached = writeCached("abc.bin", "abc");
    assertEquals(Optional.of(cached), cache.find("abc.bin"));
  }

  @Test
  void findRejectsPaths() {
    KerasCache cache = new KerasCache(home);
    for (String bad : new String[] {"../abc.bin", "models/abc.bin", "..", ""}) {
      ConvlensException e = assertThrows(ConvlensException.class, () -> cache.find(bad));
      assertTrue(e.getMessage().contains("plain file name"), e.getMessage());
    }
  }

  @Test
  void resolveReturnsAVerifiedCachedFile() throws IOException {
    Path cached = writeCached("abc.bin", "abc");
    assertEquals(cached, new KerasCache(home).resolve(ABC, false));
  }

  @Test
  void resolveRejectsACachedFileWithTheWrongMd5() throws IOException {
    writeCached("abc.bin", "abd");
    ConvlensException e = assertThrows(ConvlensException.class, () -> new KerasCache(home).resolve(ABC, false));
    assertMentions(e, "abc.bin", MD5_ABC, "expected", "got", "corrupt");
  }

  @Test
  void resolveAcceptsAFileWithoutPublishedMd5() throws IOException {
    Path cached = writeCached("mobilenet_2_5_128_tf.h5", "anything");
    WeightFile mobileNet = WeightFile.mobileNet(0.25, 128, true);
    assertFalse(mobileNet.hasMd5());
    assertEquals(cached, new KerasCache(home).resolve(mobileNet, false));
  }

  @Test
  void missingFileWithoutOptInFailsClearly() {
    KerasCache cache = new KerasCache(home);
    ConvlensException e = assertThrows(ConvlensException.class, () -> cache.resolve(WeightFile.VGG16_NOTOP, false));
    assertMentions(e, "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", home.resolve("models").toString(),
        "opt-in", "--download", WeightFile.VGG16_NOTOP.url().toString());
    assertFalse(Files.exists(home.resolve("models")), "nothing created without opt-in");
  }

  @Test
  void downloadIsVerifiedThenMovedIntoTheCache() throws IOException {
    AtomicInteger calls = new AtomicInteger();
    KerasCache cache = cacheWith((from, to) -> {
      calls.incrementAndGet();
      assertEquals(NOWHERE, from);
      assertEquals(home.resolve("models"), to.getParent(), "partial file lives next to the target");
      assertFalse(Files.exists(home.resolve("models/abc.bin")), "target appears only after verification");
      Files.writeString(to, "abc", StandardCharsets.US_ASCII);
    });
    Path resolved = cache.resolve(ABC, true);
    assertEquals(home.resolve("models/abc.bin"), resolved);
    assertEquals("abc", Files.readString(resolved));
    assertEquals(List.of("abc.bin"), listModels());
    // Now cached: no second download.
    assertEquals(resolved, cache.resolve(ABC, true));
    assertEquals(1, calls.get());
  }

  @Test
  void downloadWithTheWrongMd5IsDiscarded() throws IOException {
    KerasCache cache = cacheWith((from, to) -> Files.writeString(to, "not abc"));
    ConvlensException e = assertThrows(ConvlensException.class, () -> cache.resolve(ABC, true));
    assertMentions(e, "abc.bin", MD5_ABC, NOWHERE.toString(), "discarded");
    assertEquals(List.of(), listModels());
  }

  @Test
  void failedDownloadNamesTheUrlAndLeavesNothing() throws IOException {
    KerasCache cache = cacheWith((from, to) -> {
      Files.writeString(to, "partial");
      throw new IOException("HTTP status 404 for " + from);
    });
    ConvlensException e = assertThrows(ConvlensException.class, () -> cache.resolve(ABC, true));
    assertMentions(e, "abc.bin", NOWHERE.toString(), "404");
    assertEquals(List.of(), listModels());
  }

  @Test
  void standardHomeComesFromPropertyThenEnvironmentThenUserHome() {
    Path user = home.resolve("user");
    Path tmp = home.resolve("tmp/.keras");
    Map<String, String> none = Map.of();

    KerasCache byDefault = KerasCache.fromEnvironment(none::get, none::get, user, tmp);
    assertEquals(List.of(user.resolve(".keras/models"), tmp.resolve("models")), byDefault.searchDirectories());
    assertEquals(user.resolve(".keras/models"), byDefault.downloadDirectory());

    Map<String, String> env = Map.of("KERAS_HOME", home.resolve("env").toString());
    assertEquals(home.resolve("env/models"),
        KerasCache.fromEnvironment(none::get, env::get, user, tmp).downloadDirectory());

    Map<String, String> props = Map.of("keras.home", home.resolve("prop").toString());
    assertEquals(home.resolve("prop/models"),
        KerasCache.fromEnvironment(props::get, env::get, user, tmp).downloadDirectory());

    Map<String, String> tilde = Map.of("KERAS_HOME", "~/kh");
    assertEquals(user.resolve("kh/models"),
        KerasCache.fromEnvironment(none::get, tilde::get, user, tmp).downloadDirectory());
  }

  @Test
  void unwritableHomeFallsBackToTmpLikeKeras() throws IOException {
    // A home below a regular file can never be created, whoever runs the test (root ignores permissions).
    Path blocker = Files.writeString(home.resolve("blocker"), "x");
    Path tmp = home.resolve("tmp/.keras");
    Map<String, String> env = Map.of("KERAS_HOME", blocker.resolve("keras").toString());
    KerasCache cache = KerasCache.fromEnvironment(k -> null, env::get, home, tmp);
    assertEquals(tmp.resolve("models"), cache.downloadDirectory());

    Files.createDirectories(tmp.resolve("models"));
    Path inTmp = Files.writeString(tmp.resolve("models/abc.bin"), "abc");
    assertEquals(Optional.of(inTmp), cache.find("abc.bin"));
  }

  private KerasCache cacheWith(Downloader downloader) {
    Path models = home.resolve("models");
    return new KerasCache(List.of(models), models, downloader);
  }

  private Path writeCached(String name, String content) throws IOException {
    Files.createDirectories(home.resolve("models"));
    return Files.writeString(home.resolve("models").resolve(name), content, StandardCharsets.US_ASCII);
  }

  private List<String> listModels() throws IOException {
    try (Stream<Path> s = Files.list(home.resolve("models"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void assertMentions(ConvlensException e, String... fragments) {
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should mention '" + f + "'");
    }
  }
}
