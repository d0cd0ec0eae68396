/* include: a plain name in the rules directory */
include "shared.inc"

rule included_helper_used
{
	condition:
		shared_marker
}
