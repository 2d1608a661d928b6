// The generator's only job: an OpenAPI document in, TypeScript types out (openapi-typescript, which
// needs TypeScript 5 and so lives in this package of its own, beside the project's TypeScript 7).
import openapiTS, { astToString } from 'openapi-typescript';

/** The `paths`/`components` types of an OpenAPI 3 document, as TypeScript source. */
export async function typesFromOpenApi(document) {
  const ast = await openapiTS(document, { alphabetize: true, exportType: true });
  return astToString(ast);
}
