// What the hot-path source checks (hot-path-literals, hot-path-accessors) share: the request-path
// files to read, and a walk over the object literals of one file that reports what a check picks.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const root = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}${e.name}`;
    if (e.isDirectory()) return sourceFiles(`${path}/`);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** The source files (tests aside) of these folders (ending in `/`) and files, relative to the root. */
export const hotFiles = (paths: readonly string[]): string[] => paths.flatMap((p) => (p.endsWith('/') ? sourceFiles(p) : [p]));

/** `file:line: text` of every node `pick` returns from an object literal of the file. */
export function inObjectLiterals(file: string, text: string, pick: (literal: ts.ObjectLiteralExpression) => readonly ts.Node[]): string[] {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isObjectLiteralExpression(node)) {
      for (const n of pick(node)) {
        const { line } = src.getLineAndCharacterOfPosition(n.getStart(src));
        found.push(`${file}:${line + 1}: ${n.getText(src).replace(/\s+/g, ' ').slice(0, 80)}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return found;
}
