/** esbuild bundles imported stylesheets into `<bundle>.css`, which the host links from the panel's HTML. */
declare module '*.css';
