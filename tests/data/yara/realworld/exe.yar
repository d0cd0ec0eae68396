/*
 * In the style of public rule sets: an executable attached to a mail.
 * Written for test_yara; matches samples/tiny.exe only.
 */
import "pe"

rule Attachment_PE_Executable : executable pe
{
	meta:
		description = "Windows PE executable (any subsystem)"
		author = "spampot tests"
		date = "2026-03-10"
		severity = 60
	condition:
		uint16(0) == 0x5A4D and
		uint32(uint32(0x3C)) == 0x00004550 and
		pe.is_pe and pe.number_of_sections >= 1
}

rule Attachment_PE_GUI_32bit : executable
{
	condition:
		pe.is_pe and pe.machine == pe.MACHINE_I386 and
		pe.subsystem == pe.SUBSYSTEM_WINDOWS_GUI
}
