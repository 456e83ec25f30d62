// A valid referral body as an LA case system sends it (the API.md example), for unit and
// integration tests alike.

/** The API.md example, dated for a clock at 2026-11-22. */
export function referralBody(childRef = 'HAR0001234') {
  return {
    childRef,
    child: {
      dateOfBirth: '2011-05-14',
      sex: 'F',
      ethnicity: 'WBRI',
      legalStatus: 'C2',
      categoryOfNeed: 'N1',
      homePostcode: 'N17 6QA',
      homeLocation: { lat: 51.597, lon: -0.072 },
    },
    needs: [{ domain: 'self-harm', intensity: 'high', frequency: 'frequent' }],
    risks: { sexualExploitation: 'risk-present', missing: 'no-known-risk' },
    requirements: {
      placementType: 'K2',
      urgency: 'planned',
      requiredBy: '2026-12-01',
      livingArrangement: 'no-preference',
      maxDistanceMiles: 60,
      avoidAreas: [{ lat: 51.6, lon: -0.1, radiusMiles: 3 }],
      familyAnchors: [{ lat: 51.5, lon: -0.1, label: 'grandmother' }],
    },
    childViews: 'Wants to stay near her sister and keep going to her school.',
    attestation: { fullDisclosure: true, referrerName: 'A. Social Worker' },
  };
}

export type ReferralBody = ReturnType<typeof referralBody>;
