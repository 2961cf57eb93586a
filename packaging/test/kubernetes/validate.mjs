// Checks Kubernetes objects against the schemas that kubernetes-models bundles (the Kubernetes API,
// and the Prometheus Operator's CRDs): types, formats, required fields and enumerations, with each
// model's validate(). Unknown fields, which those schemas let pass, are TypeScript's part: the
// same package's types, checked by tsc with excess-property checks (test-kubernetes.sh).
//
//   node validate.mjs <objects.json> <types.ts>
// objects.json: [{"file": ..., "object": {...}}]. Writes types.ts, one typed constant per object.
// Prints one line per problem; exits 1 if there is any.
import { readFileSync, writeFileSync } from "node:fs";

// The module of a kind: kubernetes-models for the core API groups, the operator's package for its CRDs.
function moduleOf(apiVersion, kind) {
  if (apiVersion.startsWith("monitoring.coreos.com/")) {
    return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  }
  return `kubernetes-models/${apiVersion}/${kind}`;
}

const [objectsFile, typesFile] = process.argv.slice(2);
const objects = JSON.parse(readFileSync(objectsFile, "utf8"));
const problems = [];
const types = [];
for (const [i, { file, object }] of objects.entries()) {
  const where = `${file}: ${object.kind}/${object.metadata?.name}`;
  const module = moduleOf(object.apiVersion, object.kind);
  let Model;
  try {
    Model = (await import(module))[object.kind];
  } catch (e) {
    problems.push(`${where}: no schema for ${object.apiVersion} ${object.kind} (${e.code ?? e.message})`);
    continue;
  }
  try {
    new Model(object).validate();
  } catch (e) {
    problems.push(`${where}: ${e.message}`);
  }
  types.push(`import type { I${object.kind} as T${i} } from "${module}";`);
  types.push(`// ${where}\nexport const object${i}: T${i} = ${JSON.stringify(object, null, 2)};`);
}
writeFileSync(typesFile, types.join("\n") + "\n");
for (const p of problems) console.log(p);
process.exit(problems.length ? 1 : 0);
