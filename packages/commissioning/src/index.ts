// Public surface of @placements/commissioning.
export {};
