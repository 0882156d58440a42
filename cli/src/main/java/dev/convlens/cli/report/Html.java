package dev.convlens.cli.report;

/** HTML text helpers: escaping, and the page's fixed head and foot. */
final class Html {
  private Html() {}

  /** Escapes text for element content and double-quoted attribute values. */
  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  static String head(String title) {
    return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>%s</title>
        <style>
          body { font-family: system-ui, "DejaVu Sans", sans-serif; margin: 0 auto; max-width: 1200px;
                 padding: 0 24px 48px; color: #1d2330; background: #fafbfc; line-height: 1.45; }
          header { border-bottom: 3px solid #3b5bdb; margin-bottom: 8px; }
          h1 { margin: 24px 0 4px; font-size: 28px; }
          h2 { margin-top: 36px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; font-size: 21px; }
          h3 { margin: 20px 0 6px; font-size: 16px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
          .meta { color: #57606a; margin: 0 0 12px; }
          nav a { margin-right: 14px; color: #3b5bdb; text-decoration: none; }
          pre { background: #fff; border: 1px solid #d0d7de; padding: 12px; overflow-x: auto; font-size: 12px; }
          table { border-collapse: collapse; background: #fff; font-size: 13px; }
          th, td { border: 1px solid #d0d7de; padding: 4px 10px; text-align: right; }
          th { background: #eef1f4; }
          td.name, th.name { text-align: left; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
          .bar { display: inline-block; height: 10px; background: #3b5bdb; vertical-align: middle; }
          .row { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
          figure { margin: 0; background: #fff; border: 1px solid #d0d7de; padding: 8px; }
          figcaption { font-size: 13px; color: #57606a; margin-top: 4px; max-width: 320px; }
          img.pixel { image-rendering: pixelated; }
          img.grid { max-width: 100%%; height: auto; }
          .note { color: #57606a; font-size: 13px; }
        </style>
        </head>
        <body>
        """.formatted(esc(title));
  }

  /** Closes the page; the script marks images that did not load so a headless browser can check. */
  static String foot() {
    return """
        <script>
          window.addEventListener("load", function () {
            var broken = [];
            for (var i = 0; i < document.images.length; i++) {
              var img = document.images[i];
              if (!(img.complete && img.naturalWidth > 0)) { broken.push(img.getAttribute("src")); }
            }
            document.body.setAttribute("data-images", String(document.images.length));
            document.body.setAttribute("data-broken-images", String(broken.length));
            document.body.setAttribute("data-broken-list", broken.join(" "));
          });
        </script>
        </body>
        </html>
        """;
  }
}
