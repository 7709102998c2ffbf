/** "Now" is injected so that jobs and tests decide with a fixed time. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
