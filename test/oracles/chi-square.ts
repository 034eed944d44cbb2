import quantile from '@stdlib/stats-base-dists-chisquare-quantile';

/** Upper critical value of chi-square with df degrees of freedom at significance alpha. */
export function chiSquareCritical(df: number, alpha: number): number {
  return quantile(1 - alpha, df);
}
