/*
 * Configuration: the main file and one file per peer in peers_dir.
 *
 * A configuration is parsed into a fresh struct tm_config, validated
 * completely, and only then handed to the daemon; a load that reports any
 * error returns nothing usable, so the caller keeps its old state.
 */
#ifndef TAPMESH_CONFIG_H
#define TAPMESH_CONFIG_H

#include "cfg.h"
#include "confdata.h"

/*
 * Loads the main file at path, its private key file and every peer file
 * of its peers_dir into *conf.  Every problem found is appended to errs;
 * loading goes on after an error so that all of them are reported at
 * once.  Returns 0 if the configuration is valid, or -1 (conf is then
 * zeroed, the private key wiped, and holds nothing to free).  conf holds
 * the private key: copy it as little as possible.
 * Relative paths in the main file are resolved against the directory
 * part of path, and the results are kept as they are, so a caller that
 * changes its working directory should pass an absolute path.
 */
int	 config_load(const char *, struct tm_config *, struct cfg_errors *);

/*
 * Like config_load, for a reload of the running configuration: the
 * private key is taken from running instead of its file (which the
 * daemon may no longer be allowed to read after dropping privileges),
 * and a private_key_file naming another file is an error.
 */
int	 config_reload(const char *, struct tm_config *, struct cfg_errors *,
	    const struct tm_config *);

/*
 * Frees what config_load allocated inside conf and wipes the private key
 * with OPENSSL_cleanse; conf is left zeroed.
 */
void	 config_free(struct tm_config *);

#endif
