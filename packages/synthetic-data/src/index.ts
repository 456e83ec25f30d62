// Public surface of @placements/synthetic-data.
export {};
