/** Arm colours: one per arm position, the same on every chart and in the table. */
export const ARM_COLORS = ['#1f5fbf', '#d1495b', '#2a9d8f', '#e9a03b', '#7b4fa3', '#5c6b73', '#b5651d', '#00798c'];

/** The colour of the arm at `index` in the run's config. */
export function armColor(index: number): string {
  return ARM_COLORS[index % ARM_COLORS.length];
}
