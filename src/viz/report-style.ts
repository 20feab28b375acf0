/**
 * The report's stylesheet: light, print-friendly, system fonts only (nothing fetched). Kept free of
 * '<' and '&' so the page stays well-formed XML as well as HTML.
 */
export const REPORT_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body {
  margin: 0; background: #f5f7fa; color: #1f2933;
  font: 15px/1.5 Helvetica, Arial, "DejaVu Sans", sans-serif;
}
main { max-width: 960px; margin: 0 auto; padding: 28px 24px 48px; }
header.report { border-bottom: 3px solid #1d4ed8; margin-bottom: 20px; padding-bottom: 10px; }
h1 { font-size: 26px; margin: 0 0 4px; }
.subtitle { color: #52606d; margin: 0; }
nav ol { margin: 8px 0 0; padding-left: 22px; color: #52606d; }
nav a { color: #1d4ed8; text-decoration: none; }
section {
  background: #ffffff; border: 1px solid #dde3ea; border-radius: 8px;
  padding: 16px 20px 18px; margin: 0 0 22px;
}
h2 { font-size: 19px; margin: 0 0 6px; }
section p { margin: 0 0 10px; color: #3e4c59; }
figure { margin: 0; overflow-x: auto; }
figure svg { display: block; max-width: 100%; height: auto; }
pre {
  margin: 0; padding: 12px 14px; background: #f8fafc; border: 1px solid #e4e8ee; border-radius: 6px;
  font: 12.5px/1.45 ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace;
  overflow-x: auto; white-space: pre;
}
footer { color: #7b8794; font-size: 12px; margin-top: 28px; }
@media print {
  body { background: #ffffff; font-size: 12px; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  section { border: none; padding: 0; break-inside: avoid; page-break-inside: avoid; }
  pre { white-space: pre-wrap; break-inside: auto; }
}
`;
