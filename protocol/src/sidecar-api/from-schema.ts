/**
 * The TypeScript type a JSON schema describes, for the small subset the sidecar API uses
 * (object with properties/required/additionalProperties, array, string with or without enum,
 * integer, number, boolean). Schemas are `as const` objects, so a type is derived from the
 * very object fastify validates with and the OpenAPI document prints: one source, no drift.
 */

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type ObjectFromSchema<S> = S extends {
  properties: infer P extends Record<string, unknown>;
}
  ? Simplify<
      {
        -readonly [K in keyof P as K extends RequiredOf<S> ? K : never]: FromSchema<P[K]>;
      } & {
        -readonly [K in keyof P as K extends RequiredOf<S> ? never : K]?: FromSchema<P[K]>;
      } & AdditionalOf<S>
    >
  : S extends { additionalProperties: infer A extends { type: unknown } }
    ? Record<string, FromSchema<A>>
    : Record<string, unknown>;

type RequiredOf<S> = S extends { required: readonly (infer R)[] } ? R : never;

// Properties beside the named ones: typed only when additionalProperties is a schema
// (`unknown` is the identity of an intersection, so it adds nothing otherwise).
type AdditionalOf<S> = S extends { additionalProperties: infer A extends { type: unknown } }
  ? Record<string, FromSchema<A>>
  : unknown;

/**
 * The value type of a JSON schema.
 *
 * @example
 * const capacity = { type: 'integer', minimum: 1 } as const;
 * type Capacity = FromSchema<typeof capacity>; // number
 */
export type FromSchema<S> = S extends { enum: readonly (infer E)[] }
  ? E
  : S extends { type: 'string' }
    ? string
    : S extends { type: 'integer' | 'number' }
      ? number
      : S extends { type: 'boolean' }
        ? boolean
        : S extends { type: 'array'; items: infer I }
          ? FromSchema<I>[]
          : S extends { type: 'object' }
            ? ObjectFromSchema<S>
            : unknown;
