import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * The JSDoc of every configuration key, read from the schema's source (lib/config/schema.ts), so the
 * reference uses the same comments the code has: key path (`gpu.nodeLabel`) → text and `@example`.
 * Follows `key: someSchema` and `key: someSchema.optional()` to that schema's own object literal.
 */
export interface KeyDoc {
  readonly text: string;
  readonly example?: string;
}

export function schemaComments(file: string, root = 'configSchema', more: readonly string[] = []): Map<string, KeyDoc> {
  // Object schemas by name, from the schema file, the files it imports parts from (`more`) and every
  // sibling file of the config folder (users.ts, and any part a component adds): this file last, so its names win.
  const dir = path.dirname(file);
  const siblings = fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
  const others = [...new Set([...siblings, ...more].map((f) => path.resolve(f)))].filter((f) => f !== path.resolve(file));
  const files = [...others, file];
  const objects = new Map<string, ts.ObjectLiteralExpression>();
  for (const f of files) {
    const source = ts.createSourceFile(f, fs.readFileSync(f, 'utf8'), ts.ScriptTarget.ES2022, true);
    source.forEachChild((node) => {
      if (!ts.isVariableStatement(node)) return;
      for (const d of node.declarationList.declarations) {
        const literal = d.initializer && firstObjectLiteral(d.initializer);
        if (ts.isIdentifier(d.name) && literal) objects.set(d.name.text, literal);
      }
    });
  }
  const docs = new Map<string, KeyDoc>();
  const walk = (literal: ts.ObjectLiteralExpression, prefix: string) => {
    for (const p of literal.properties) {
      if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
      const key = `${prefix}${p.name.text}`;
      const tags = ts.getJSDocCommentsAndTags(p).filter(ts.isJSDoc);
      if (tags.length) {
        const jsdoc = tags[tags.length - 1];
        const text = ts.getTextOfJSDocComment(jsdoc.comment) ?? '';
        const example = jsdoc.tags?.find((t) => t.tagName.text === 'example');
        docs.set(key, { text: text.replace(/\s+/g, ' ').trim(), example: example ? ts.getTextOfJSDocComment(example.comment)?.trim() : undefined });
      }
      const nested = rootIdentifier(p.initializer);
      const literalHere = firstObjectLiteral(p.initializer);
      if (literalHere) walk(literalHere, `${key}.`);
      else if (nested && objects.has(nested)) walk(objects.get(nested)!, `${key}.`);
    }
  };
  const top = objects.get(root);
  if (!top) throw new Error(`${file}: no "${root}" object schema found`);
  walk(top, '');
  return docs;
}

/** The object literal of `z.strictObject({...})` (possibly followed by .superRefine(...) etc.). */
function firstObjectLiteral(e: ts.Expression): ts.ObjectLiteralExpression | undefined {
  if (ts.isCallExpression(e)) {
    const callee = e.expression;
    if (ts.isPropertyAccessExpression(callee) && /^(strictObject|object)$/.test(callee.name.text) && e.arguments[0] && ts.isObjectLiteralExpression(e.arguments[0])) return e.arguments[0];
    if (ts.isPropertyAccessExpression(callee)) return firstObjectLiteral(callee.expression);
  }
  return undefined;
}

/** `gpuSchema` for `gpuSchema` and `gpuSchema.optional()`. */
function rootIdentifier(e: ts.Expression): string | undefined {
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) return rootIdentifier(e.expression.expression);
  return undefined;
}
