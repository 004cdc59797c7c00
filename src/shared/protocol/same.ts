// A compile-time check that a schema's inferred type and a hand-written type in configs/ describe the
// same data: `const ok: Same<A, B> = true` fails to compile as soon as they drift apart.
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
