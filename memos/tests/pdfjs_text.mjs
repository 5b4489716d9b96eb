// Text of a PDF as pdf.js (Firefox's viewer, most web viewers) extracts it: node pdfjs_text.mjs FILE.pdf
// Prints each page's getTextContent() items, a newline where pdf.js marks an end of line, a form feed
// between pages. pdfjs-dist is resolved from the repository's node_modules (package.json, devDependencies).
import fs from "node:fs";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

const data = new Uint8Array(fs.readFileSync(process.argv[2]));
const doc = await getDocument({ data, verbosity: 0, useSystemFonts: false }).promise;
const pages = [];
for (let i = 1; i <= doc.numPages; i++) {
  const page = await doc.getPage(i);
  const content = await page.getTextContent();
  pages.push(content.items.map((item) => (item.str ?? "") + (item.hasEOL ? "\n" : "")).join(""));
}
process.stdout.write(pages.join("\f"));
