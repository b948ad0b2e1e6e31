// The recognisable secret of the canary test, and what counts as a sighting of it.

/** "c0ffee" and 26 more hex digits: 32 like a real ServerSecret, easy to spot. */
export const CANARY = "c0ffee5e0c7e75a1e1d0b1a2b3c4d5e6";
export const CANARY_APP_ID = 3735928559;

/** The forms a leak could take: whole, upper-cased, or either half. */
export const SIGHTINGS = [
  CANARY,
  CANARY.toUpperCase(),
  CANARY.slice(0, 16),
  CANARY.slice(16),
];
