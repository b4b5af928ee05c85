/** The only source of "now" for services; tests pass a virtual clock. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
