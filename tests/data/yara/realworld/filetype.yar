/*
 * The real type of a file, by libmagic: an executable whatever its name.
 * In the parse child's sandbox this needs the warm-up of yara_rules_init.
 */
import "magic"

rule Magic_Windows_Executable : executable
{
	condition:
		magic.mime_type() == "application/vnd.microsoft.portable-executable" or
		magic.mime_type() == "application/x-dosexec"
}
