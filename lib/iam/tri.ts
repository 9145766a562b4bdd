/** Three-valued (Kleene) logic: `undefined` is "not known yet" — false only when every completion is false. */
export type Tri = boolean | undefined;

export function not(a: Tri): Tri {
  return a === undefined ? undefined : !a;
}

export function and(a: Tri, b: Tri): Tri {
  if (a === false || b === false) return false;
  return a === true && b === true ? true : undefined;
}

export function xor(a: Tri, b: boolean): Tri {
  return a === undefined ? undefined : a !== b;
}

/** True if some item is true, false if all are false, else unknown. */
export function anyOf<T>(items: Iterable<T>, value: (item: T) => Tri): Tri {
  let unknown = false;
  for (const item of items) {
    const v = value(item);
    if (v === true) return true;
    if (v === undefined) unknown = true;
  }
  return unknown ? undefined : false;
}
