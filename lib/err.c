/* SPDX-License-Identifier: MIT */
/* Names of Tern's negative error codes, for messages. */
#include "lib/types.h"

const char *err_name(int err)
{
	static const char *const names[] = {
		[E_OK] = "OK",		 [E_INVAL] = "EINVAL",	   [E_NOMEM] = "ENOMEM",
		[E_RANGE] = "ERANGE",	 [E_EXIST] = "EEXIST",	   [E_NOENT] = "ENOENT",
		[E_OVERLAP] = "EOVERLAP", [E_NOSUPP] = "ENOSUPP", [E_TIMEOUT] = "ETIMEOUT",
		[E_BUSY] = "EBUSY",
	};
	unsigned int idx = (unsigned int)(err < 0 ? -err : err);

	if (idx < ARRAY_SIZE(names) && names[idx])
		return names[idx];
	return "E?";
}
