package dev.convlens.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convlens.bridge.SessionOptions;
import org.junit.jupiter.api.Test;

class ForwardSettingTest {
  @Test
  void parsesTokensIntoSessionOptions() {
    assertEquals(ForwardSetting.defaults(), ForwardSetting.parse("default"));
    ForwardSetting s = ForwardSetting.parse("intra2+inter1+no-opt");
    assertEquals(new SessionOptions(2, 1, false), s.session());
    assertEquals(false, s.elementwise());
    assertTrue(ForwardSetting.parse("elementwise").elementwise());
    assertEquals(SessionOptions.defaults(), ForwardSetting.parse("elementwise").session());
    assertTrue(ForwardSetting.parse("onednn").onednn() && !ForwardSetting.parse("default").onednn());
  }

  @Test
  void labelIsTheInverseOfParse() {
    for (String label : new String[] {"default", "intra2+inter1", "intra1+inter1", "no-opt", "inter2",
        "intra2+inter1+no-opt", "elementwise", "intra1+elementwise", "onednn", "intra2+inter1+onednn"}) {
      assertEquals(label, ForwardSetting.parse(label).label());
    }
    assertEquals("intra2+inter1", ForwardSetting.parse("INTER1+intra2").label(), "order and case do not matter");
  }

  @Test
  void unknownTokensAreRejectedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ForwardSetting.parse("intra2+xla"));
    assertTrue(e.getMessage().contains("'xla'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ForwardSetting.parse("intra"));
    assertThrows(IllegalArgumentException.class, () -> new ForwardSetting(null, false, false));
  }
}
