package io.meshpulse.collector.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ByteRangeCacheTest {
  @Test
  void aGrowingCache_startsSmallAndKeepsEveryValueAsItGrows() {
    ByteRangeCache<String> cache = new ByteRangeCache<>(16, 4096);
    int initial = cache.capacity();

    for (int i = 0; i < 1000; i++) {
      byte[] key = key(i);
      cache.put(key, 0, key.length, "value-" + i);
    }

    assertThat(initial).as("slots before any put").isEqualTo(16);
    assertThat(cache.capacity()).as("slots after 1000 distinct keys").isEqualTo(2048);
    for (int i = 0; i < 1000; i++) {
      byte[] key = key(i);
      assertThat(cache.get(key, 0, key.length))
          .as("key %d after growing", i)
          .isEqualTo("value-" + i);
    }
  }

  @Test
  void atItsMaximum_theCacheStartsAgainEmptyInsteadOfGrowing() {
    ByteRangeCache<String> cache = new ByteRangeCache<>(16, 32);
    for (int i = 0; i < 16; i++) {
      byte[] key = key(i);
      cache.put(key, 0, key.length, "value-" + i);
    }
    byte[] first = key(0);
    String before = cache.get(first, 0, first.length);

    byte[] next = key(16);
    cache.put(next, 0, next.length, "value-16");

    assertThat(before).as("held while under the maximum").isEqualTo("value-0");
    assertThat(cache.capacity()).as("capped").isEqualTo(32);
    assertThat(cache.get(first, 0, first.length)).as("cleared at the maximum").isNull();
    assertThat(cache.get(next, 0, next.length)).as("the new key").isEqualTo("value-16");
  }

  @Test
  void aRangeInsideALargerBuffer_isFoundByItsBytesAlone() {
    ByteRangeCache<String> cache = new ByteRangeCache<>(16, 64);
    byte[] message = "xxoutbound|9080||reviews.default.svc.cluster.localyy".getBytes(UTF8);
    cache.put(message, 2, message.length - 4, "reviews");

    byte[] alone = "outbound|9080||reviews.default.svc.cluster.local".getBytes(UTF8);

    assertThat(cache.get(alone, 0, alone.length)).as("same bytes elsewhere").isEqualTo("reviews");
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  private static byte[] key(int i) {
    return ("outbound|9080||service-" + i + ".default.svc.cluster.local").getBytes(UTF8);
  }
}
