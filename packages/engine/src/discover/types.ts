/** A JSON Schema object as found in an OpenAPI document (after `$ref` resolution). */
export type JsonSchema = Record<string, unknown>;

/** One parameter an operation declares. */
export interface DeclaredParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema?: JsonSchema;
}

/** One operation (method + path template) a spec declares. */
export interface DeclaredOperation {
  /** Upper case: `GET`, `POST`, … */
  method: string;
  /** The full path template with the spec's base path, OpenAPI style: `/v1/pets/{petId}`. */
  template: string;
  deprecated: boolean;
  operationId?: string;
  parameters: DeclaredParameter[];
  /** The JSON request body schema, when the operation has one. */
  requestBody?: JsonSchema;
  /** Response schemas by status code (`200`, `4XX`, `default`); `undefined` when a response has no JSON body. */
  responses: Record<string, JsonSchema | undefined>;
  /** Alternatives of required security scheme names (OpenAPI `security`); empty = no auth required. */
  security: string[][];
}

/** A security scheme a spec defines. */
export interface DeclaredSecurityScheme {
  type: 'http' | 'apiKey' | 'oauth2' | 'openIdConnect' | 'mutualTLS' | 'basic';
  /** For `http`: `basic`, `bearer`, … */
  scheme?: string;
  /** For `apiKey`: where the key goes and its name. */
  in?: 'header' | 'query' | 'cookie';
  name?: string;
}

/** A loaded API description (OpenAPI 3.0/3.1 or Swagger 2.0), normalised. */
export interface DeclaredApi {
  /** Where it came from (a file path). */
  source: string;
  title: string;
  version: string;
  /** `2.0`, `3.0.x`, `3.1.x` as written in the document. */
  specVersion: string;
  /** Lower-case hosts (`api.example.com`, with `:port` when not default) from `servers` / `host`; may be empty. */
  hosts: string[];
  /** The base path every template starts with (`/v1`), or `` for none. */
  basePath: string;
  operations: DeclaredOperation[];
  securitySchemes: Record<string, DeclaredSecurityScheme>;
}
