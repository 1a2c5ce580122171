/** Vendor keyword: how many objects were observed at this location (on object schemas only). */
export const SAMPLES_KEYWORD = 'x-palisade-samples';
/** Vendor keyword: the builder stopped looking here (depth limit) or stopped adding properties (property limit). */
export const TRUNCATED_KEYWORD = 'x-palisade-truncated';
/** Vendor keyword: a kind of string that has no standard JSON Schema format (`jwt`). */
export const KIND_KEYWORD = 'x-palisade-kind';
