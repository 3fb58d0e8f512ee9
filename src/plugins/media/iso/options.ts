import { z } from 'zod';

/** media.type "iso": the keys only ISO media have. */
export const isoOptions = {
  file: z.string().min(1).optional(),
};
