package dev.convlens.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The packaging promises of the README, read from the POMs: the library modules leave the native
 * runtime to the application (a native with a classifier only in test scope), the command line
 * ships one, and the BOM's version follows the parent's.
 */
class PackagingTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void librariesTakeTheNativeRuntimeForTheirTestsOnly() throws Exception {
    for (String module : List.of("tf-bridge", "visualize", "finetune", "server", "spark")) {
      for (Element d : dependencies(module)) {
        if (text(d, "artifactId").equals("tensorflow-core-native") && !text(d, "classifier").isEmpty()) {
          assertEquals("test", text(d, "scope"), module + ": a native runtime outside test scope would fix the"
              + " platform of every application that depends on the library");
        }
      }
    }
    boolean cliShipsOne = dependencies("cli").stream().anyMatch(d -> text(d, "artifactId")
        .equals("tensorflow-core-native") && !text(d, "classifier").isEmpty() && text(d, "scope").isEmpty());
    assertTrue(cliShipsOne, "the command line is an application and ships its platform's native runtime");
  }

  @Test
  void theBomFollowsTheParentVersion() throws Exception {
    Document parent = parse(ROOT.resolve("pom.xml"));
    Document bom = parse(ROOT.resolve("bom/pom.xml"));
    assertEquals(text(parent.getDocumentElement(), "version"), text(bom.getDocumentElement(), "version"));
    assertEquals("convlens-bom", text(bom.getDocumentElement(), "artifactId"));
  }

  @Test
  void theBomManagesEveryLibraryModule() throws Exception {
    Element modules = first(parse(ROOT.resolve("pom.xml")).getDocumentElement(), "modules");
    Element managed = first(first(parse(ROOT.resolve("bom/pom.xml")).getDocumentElement(), "dependencyManagement"),
        "dependencies");
    List<String> inBom = new ArrayList<>();
    for (Node n = managed.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e) {
        inBom.add(text(e, "artifactId"));
      }
    }
    for (Node n = modules.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && !List.of("bom", "cli", "examples").contains(e.getTextContent().trim())) {
        String artifact = text(parse(ROOT.resolve(e.getTextContent().trim()).resolve("pom.xml")).getDocumentElement(),
            "artifactId");
        assertTrue(inBom.contains(artifact), artifact + " is a library module but the BOM does not manage it");
      }
    }
  }

  /**
   * Maven manages a dependency per classifier: an application names its platform's native without a
   * version (README, "Library") only if the BOM lists that classifier. Every platform the build knows
   * (the parent's native classifier property and its profiles) must be there.
   */
  @Test
  void theBomManagesTheNativeRuntimeOfEveryPlatformTheBuildKnows() throws Exception {
    NodeList platforms = parse(ROOT.resolve("pom.xml")).getElementsByTagName("tensorflow.native.classifier");
    List<String> managed = new ArrayList<>();
    NodeList deps = parse(ROOT.resolve("bom/pom.xml")).getElementsByTagName("dependency");
    for (int i = 0; i < deps.getLength(); i++) {
      Element d = (Element) deps.item(i);
      if (text(d, "artifactId").equals("tensorflow-core-native")) {
        managed.add(text(d, "classifier"));
      }
    }
    assertTrue(platforms.getLength() >= 5, "the default and the four profiles");
    for (int i = 0; i < platforms.getLength(); i++) {
      String classifier = platforms.item(i).getTextContent().trim();
      assertTrue(managed.contains(classifier), "convlens-bom does not manage tensorflow-core-native:" + classifier);
    }
  }

  /** The examples import the BOM of their own version: one left behind would build against an old release. */
  @Test
  void theExamplesFollowTheParentVersionAndStayOutOfTheBom() throws Exception {
    Document parent = parse(ROOT.resolve("pom.xml"));
    Document examples = parse(ROOT.resolve("examples/pom.xml"));
    assertEquals(text(parent.getDocumentElement(), "version"), text(examples.getDocumentElement(), "version"));
    NodeList managed = parse(ROOT.resolve("bom/pom.xml")).getElementsByTagName("artifactId");
    for (int i = 0; i < managed.getLength(); i++) {
      assertFalse(managed.item(i).getTextContent().contains("example"), "the BOM manages only library modules");
    }
  }

  /** The nullness annotations are part of the API: every library module has them, the BOM pins the parent's version. */
  @Test
  void jspecifyIsACompileDependencyAtTheParentsVersion() throws Exception {
    String parentVersion = managedVersion(parse(ROOT.resolve("pom.xml")), "jspecify");
    assertEquals("1.0.1", parentVersion);
    assertEquals(parentVersion, managedVersion(parse(ROOT.resolve("bom/pom.xml")), "jspecify"));
    for (String module : List.of("tf-bridge", "visualize", "finetune", "server", "spark")) {
      boolean compileScope = dependencies(module).stream().anyMatch(d -> text(d, "artifactId").equals("jspecify")
          && text(d, "scope").isEmpty());
      assertTrue(compileScope, module + " needs jspecify at compile scope so that its users see the annotations");
    }
  }

  /** The version {@code dependencyManagement} gives an artifact, with a {@code ${property}} resolved. */
  private static String managedVersion(Document pom, String artifactId) {
    Element managed = first(pom.getDocumentElement(), "dependencyManagement");
    assertTrue(managed != null, "no dependencyManagement");
    for (Node n = first(managed, "dependencies").getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && text(e, "artifactId").equals(artifactId)) {
        String v = text(e, "version");
        return v.startsWith("${") ? text(first(pom.getDocumentElement(), "properties"), v.substring(2, v.length() - 1)) : v;
      }
    }
    throw new AssertionError(artifactId + " is not in dependencyManagement");
  }

  private static List<Element> dependencies(String module) throws Exception {
    Element project = parse(ROOT.resolve(module).resolve("pom.xml")).getDocumentElement();
    List<Element> out = new ArrayList<>();
    for (Node n = first(project, "dependencies").getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals("dependency")) {
        out.add(e);
      }
    }
    return out;
  }

  private static Document parse(Path pom) throws Exception {
    assertTrue(Files.isRegularFile(pom), pom + " is missing");
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
  }

  private static Element first(Element parent, String tag) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(tag)) {
        return e;
      }
    }
    return null;
  }

  /** The text of a direct child element, or "" when there is none. */
  private static String text(Element parent, String tag) {
    Element e = first(parent, tag);
    return e == null ? "" : e.getTextContent().trim();
  }
}
