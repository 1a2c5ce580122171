/** The Palisade version printed by `palisade --version`. */
export const VERSION = '0.1.0';
