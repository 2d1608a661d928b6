/** The `paths`/`components` types of an OpenAPI 3 document, as TypeScript source. */
export function typesFromOpenApi(document: object): Promise<string>;
