/*
 * Packed, encrypted or compressed blobs: entropy near 8 bits a byte.
 */
import "math"

rule High_Entropy_Blob : packed
{
	meta:
		description = "more than 7.5 bits of entropy per byte"
		min_size = 1024
	condition:
		filesize >= 1KB and math.entropy(0, filesize) >= 7.5
}

rule Low_Entropy_Text
{
	condition:
		filesize > 0 and math.entropy(0, filesize) < 5.0 and
		math.mean(0, filesize) > 0x20
}
