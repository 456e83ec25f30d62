// Referral policy: every figure a referral is checked against, with where it comes from. Figures
// marked "bound" are sanity limits on input size, not law; the rest follow the cited source.

/**
 * A child is a person under 18 (Children Act 1989, s105(1)); a children's home looks after
 * children (Care Standards Act 2000, s1). A referral for someone aged 18 or over is refused.
 */
export const ADULTHOOD_AGE = 18;

/**
 * From 17 a child is within a year of leaving care at 18 (Children (Leaving Care) Act 2000 and
 * CPPCR 2010 Part 7 pathway planning): a children's home placement may be short, so the referral
 * is accepted with a warning rather than refused.
 */
export const LEAVING_CARE_WARNING_AGE = 17;

/**
 * Bounding region of the United Kingdom in WGS84 degrees (Isles of Scilly to Shetland, Northern
 * Ireland to East Anglia). Coordinates outside it are a mistake (swapped lat/lon, a sign error),
 * not a placement the platform can make.
 */
export const UK_BOUNDS = Object.freeze({ minLat: 49.8, maxLat: 60.9, minLon: -8.7, maxLon: 1.8 });

/**
 * SSDA903 PLACE codes a children's home provides: K1 secure children's home, K2 children's home
 * (DfE SSDA903 guide, placement type). Other valid codes (fostering, supported accommodation,
 * placed with parents) are not placements this platform can match.
 */
export const CHILDRENS_HOME_PLACEMENT_TYPES: readonly string[] = Object.freeze(['K1', 'K2']);

/** Bound: the longest straight-line distance a referral may name (Land's End to John o' Groats is ~600 miles). */
export const MAX_DISTANCE_MILES = 1_000;
/** Bound: radius of one area the child must avoid. */
export const MAX_AVOID_AREA_RADIUS_MILES = 100;
/** Bound: how many areas to avoid and family anchors one referral may list. */
export const MAX_LOCATIONS = 50;
/** Bound: length of the child's views in characters. */
export const MAX_CHILD_VIEWS_LENGTH = 20_000;
/** Bound: length of a name, a label or a withdrawal reason. */
export const MAX_NAME_LENGTH = 200;
export const MAX_REASON_LENGTH = 4_000;
