// `@graphql-codegen/typescript-resolvers` with its `mappers` collected by convention
// instead of a central list: each `schema/<domain>/schema.mappers.ts` exports
// `type <GraphQLType>Mapper = …` for the types of its schema that resolve from a domain
// record (the graphql-codegen server preset's convention). Mappers named in codegen.yml
// still win, so a one-off override stays possible.
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join, relative, dirname } = require('node:path');
const resolvers = require('@graphql-codegen/typescript-resolvers');

const ROOT = join(__dirname, '..', '..', '..');
const SCHEMA = join(ROOT, 'schema');
const MAPPER = /^export\s+type\s+([A-Za-z0-9_]+)Mapper\b/gm;

/** `{ GraphQLType: '<path from the output file>#<Type>Mapper' }` from every domain's mapper file. */
function conventionMappers(outputFile) {
  const mappers = {};
  const owner = {};
  for (const domain of readdirSync(SCHEMA).sort()) {
    const file = join(SCHEMA, domain, 'schema.mappers.ts');
    if (!existsSync(file)) continue;
    const from = relative(dirname(join(ROOT, outputFile)), file).replace(/\.ts$/, '.js');
    for (const [, type] of readFileSync(file, 'utf8').matchAll(MAPPER)) {
      if (owner[type]) throw new Error(`Mapper for ${type} is declared in schema/${owner[type]} and schema/${domain}.`);
      owner[type] = domain;
      mappers[type] = `${from.startsWith('.') ? from : `./${from}`}#${type}Mapper`;
    }
  }
  return mappers;
}

module.exports = {
  plugin(schema, documents, config, info) {
    const mappers = { ...conventionMappers(info.outputFile), ...(config.mappers ?? {}) };
    return resolvers.plugin(schema, documents, { ...config, mappers }, info);
  },
};
