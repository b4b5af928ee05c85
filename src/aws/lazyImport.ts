/**
 * A module imported once per process at first use. Lambda bundles keep the AWS
 * SDK external, and esbuild hoists every static import of an external package
 * to init; only a literal `import('…')` at the call site defers it. So the
 * caller writes the literal: `const loadEc2 = lazyImport(() => import('@aws-sdk/client-ec2'))`.
 * A failed load is retried by the next call rather than cached.
 */
export function lazyImport<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    return loading;
  };
}
