// Go's formatting of the values kube-apiserver puts in its error messages, so ours read the same.

/** Go `%q` of a string (strconv.Quote; JSON escaping matches it for printable text). */
export function goQuote(value: string): string {
  return JSON.stringify(value);
}

/** Go `%q` of a []string: `["a" "b"]`. */
export function goQuoteList(values: readonly string[]): string {
  return `[${values.map(goQuote).join(' ')}]`;
}

/** Go `%v` of a time.Time in UTC: `2006-01-02 15:04:05 +0000 UTC` (fractional seconds when present). */
export function goTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2006-01-02T15:04:05.000Z
  const [date, rest = ''] = iso.split('T');
  const [clock = '', fraction = '000Z'] = rest.split('.');
  const digits = fraction.replace('Z', '').replace(/0+$/, '');
  return `${date} ${clock}${digits === '' ? '' : `.${digits}`} +0000 UTC`;
}

/** Go's zero time.Time, which go-oidc uses for a missing `exp`. */
export const GO_ZERO_TIME = '0001-01-01 00:00:00 +0000 UTC';

/** The JSON kind Go's decoder names in `json: cannot unmarshal <kind> into Go value of type T`. */
export function goJsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}

/** `json: cannot unmarshal <kind> into Go value of type <goType>`. */
export function goUnmarshalError(value: unknown, goType: string): string {
  return `json: cannot unmarshal ${goJsonKind(value)} into Go value of type ${goType}`;
}
