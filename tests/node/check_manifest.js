// Validates a Teams app manifest against Microsoft's JSON schema, offline.
//
// stdin: the manifest (JSON). stdout: {"schema": "<version>", "errors": ["/path message", ...]}.
// The schema is the one `@microsoft/app-manifest` carries for the manifest's own
// `manifestVersion` (build/json-schemas/teams/v<version>/), checked the way that package's
// AppManifestUtils.validateAgainstSchema does it (ajv, draft-04, all errors, uri/email/regex
// formats). We don't call that function: the package's entry point requires `fs-extra`, which
// it lists only as a development dependency, and it would fetch the schema from the web.
"use strict";

const fs = require("fs");
const path = require("path");

const packageDir = path.dirname(require.resolve("@microsoft/app-manifest/package.json"));
// ajv as the package itself resolves it, so the versions are the ones it was tested with
const fromPackage = (name) => require(require.resolve(name, { paths: [packageDir] }));
const Ajv04 = fromPackage("ajv-draft-04");
const addFormats = fromPackage("ajv-formats");

function schemaFor(manifestVersion) {
  if (typeof manifestVersion !== "string" || !/^(\d+\.\d+|devPreview)$/.test(manifestVersion)) {
    return null;
  }
  const folder = manifestVersion === "devPreview" ? "vDevPreview" : `v${manifestVersion}`;
  const file = path.join(packageDir, "build", "json-schemas", "teams", folder, "MicrosoftTeams.schema.json");
  if (!fs.existsSync(file)) {
    return null;
  }
  // the same repair the package makes to schemas it downloads: `\a` is not a JS regex escape
  return JSON.parse(fs.readFileSync(file, "utf8").replace(/\\a/g, "\\x07"));
}

function validate(manifest) {
  const schema = schemaFor(manifest.manifestVersion);
  if (schema === null) {
    return { schema: null, errors: [`no bundled schema for manifestVersion ${JSON.stringify(manifest.manifestVersion)}`] };
  }
  const ajv = new Ajv04({ allErrors: true, strictTypes: false });
  addFormats(ajv, ["uri", "email", "regex"]);
  const check = ajv.compile(schema);
  const errors = check(manifest)
    ? []
    : check.errors.map((error) => `${error.instancePath || "/"} ${error.message} ${JSON.stringify(error.params)}`);
  return { schema: manifest.manifestVersion, errors };
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  input += chunk;
});
process.stdin.on("end", () => {
  let result;
  try {
    result = validate(JSON.parse(input));
  } catch (error) {
    result = { schema: null, errors: [`not a JSON manifest: ${error.message}`] };
  }
  process.stdout.write(JSON.stringify(result) + "\n");
});
