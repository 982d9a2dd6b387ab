// Renders the gateway's OpenAPI document as a plain reference page: operations by tag, then the schemas they use.
// DOM nodes and textContent only, so nothing in the document is ever interpreted as markup.
"use strict";

(async function () {
  const main = document.getElementById("reference");
  const status = document.getElementById("status");
  let doc;
  try {
    const response = await fetch("/openapi/v1.json", { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error("status " + response.status);
    doc = await response.json();
  } catch (e) {
    status.textContent = "The API description could not be loaded (" + e.message + ").";
    return;
  }
  status.remove();

  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    for (const child of children) node.append(child instanceof Node ? child : String(child));
    return node;
  };
  const refName = ref => ref.split("/").pop();
  const schemaLink = name => el("a", { href: "#schema-" + name }, name);

  // A short, linked description of a schema's type: "AgentView", "array of integer", "string | null".
  function typeOf(schema) {
    if (!schema) return el("span", {}, "any");
    if (schema.$ref) return schemaLink(refName(schema.$ref));
    const span = el("span");
    const variants = schema.oneOf || schema.anyOf;
    if (variants) {
      variants.forEach((v, i) => { if (i) span.append(" | "); span.append(typeOf(v)); });
      return span;
    }
    const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
    const main = types.filter(t => t !== "null");
    if (main.includes("array")) span.append("array of ", typeOf(schema.items));
    else if (main.includes("object") && schema.additionalProperties && typeof schema.additionalProperties === "object")
      span.append("map of ", typeOf(schema.additionalProperties));
    else span.append(main.join(" | ") || (schema.properties ? "object" : "any"));
    if (schema.format) span.append(" (" + schema.format + ")");
    if (schema.enum) span.append(": " + schema.enum.filter(v => v !== null).map(v => JSON.stringify(v)).join(", "));
    if (schema.pattern) span.append(" matching " + schema.pattern);
    if (types.includes("null")) span.append(" | null");
    return span;
  }

  function propertiesTable(schema) {
    const props = Object.entries(schema.properties || {});
    if (!props.length) return el("p", { class: "muted" }, "Type: ", typeOf(schema));
    const required = new Set(schema.required || []);
    const table = el("table", {}, el("tr", {}, el("th", {}, "member"), el("th", {}, "type"), el("th", {}, "description")));
    for (const [name, prop] of props) {
      table.append(el("tr", {},
        el("td", {}, el("code", {}, name), required.has(name) ? " (required)" : ""),
        el("td", { class: "type" }, typeOf(prop)),
        el("td", {}, prop.description || "")));
    }
    return table;
  }

  function contentList(content) {
    const list = el("ul");
    for (const [media, body] of Object.entries(content || {})) {
      list.append(el("li", {}, el("code", {}, media), body.schema ? ": " : "", body.schema ? typeOf(body.schema) : ""));
    }
    return list;
  }

  function operationSection(path, method, op) {
    const id = op.operationId || (method + path).replace(/[^A-Za-z0-9]+/g, "-");
    const section = el("section", { class: "operation", id: "op-" + id },
      el("h3", {}, el("span", { class: "method " + method }, method.toUpperCase()), " ", el("span", { class: "path" }, path)));
    if (op.summary) section.append(el("p", {}, el("strong", {}, op.summary)));
    if (op.description) section.append(el("p", {}, op.description));
    if (op.parameters && op.parameters.length) {
      const table = el("table", {}, el("tr", {}, el("th", {}, "parameter"), el("th", {}, "in"), el("th", {}, "type"), el("th", {}, "description")));
      for (const p of op.parameters) {
        table.append(el("tr", {}, el("td", {}, el("code", {}, p.name), p.required ? " (required)" : ""), el("td", {}, p.in),
          el("td", { class: "type" }, typeOf(p.schema)), el("td", {}, p.description || "")));
      }
      section.append(table);
    }
    if (op.requestBody) {
      section.append(el("p", {}, "Request body" + (op.requestBody.required ? "" : " (optional)") + ":"), contentList(op.requestBody.content));
    }
    const responses = el("table", {}, el("tr", {}, el("th", {}, "status"), el("th", {}, "description"), el("th", {}, "body")));
    for (const [code, response] of Object.entries(op.responses || {})) {
      responses.append(el("tr", {}, el("td", {}, code), el("td", {}, response.description || ""), el("td", {}, contentList(response.content))));
    }
    section.append(responses);
    return { id, section };
  }

  const info = doc.info || {};
  document.title = info.title || document.title;
  if (info.description) main.append(el("p", {}, info.description));

  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const method of ["get", "put", "post", "patch", "delete"]) {
      const op = item[method];
      if (!op) continue;
      const tag = (op.tags && op.tags[0]) || "Other";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method, op });
    }
  }

  const contents = document.getElementById("contents");
  const toc = el("ul");
  contents.append(el("h2", {}, "Operations"), toc);
  for (const [tag, operations] of byTag) {
    main.append(el("h2", { id: "tag-" + tag }, tag));
    for (const { path, method, op } of operations) {
      const { id, section } = operationSection(path, method, op);
      main.append(section);
      toc.append(el("li", {}, el("a", { href: "#op-" + id }, el("span", { class: "method " + method }, method.toUpperCase()), " " + path)));
    }
  }

  const schemas = (doc.components && doc.components.schemas) || {};
  main.append(el("h2", { id: "schemas" }, "Schemas"));
  for (const name of Object.keys(schemas).sort()) {
    const schema = schemas[name];
    main.append(el("h3", { id: "schema-" + name }, name));
    if (schema.description) main.append(el("p", {}, schema.description));
    main.append(propertiesTable(schema));
  }
})();
