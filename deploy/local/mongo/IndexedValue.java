// One value of an indexed field, as a key of FirstKeyIndex's ordered map.
//
// The index only narrows a query; mongo-java-server's own matcher still decides which documents
// match. So the one rule this class must keep: whenever the matcher calls a document's value equal
// to a queried value (Utils.nullAwareEquals: both null or missing, or equal after
// Utils.normalizeValue), the two IndexedValues compare as 0; and a range of IndexedValues must
// contain every value the matcher's $gt/$gte/$lt/$lte accept (ValueComparator, and only between
// values of one type). Values kept: null (and missing), numbers, strings, ObjectIds, booleans and
// dates, each type in its own band, in MongoDB's type order. Anything else (arrays, subdocuments,
// NaN, Decimal128, binary, ...) has no IndexedValue: FirstKeyIndex returns such documents for every
// query, and a query on such a value is not served by the index.

import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.ObjectId;
import java.math.BigDecimal;
import java.time.Instant;

final class IndexedValue implements Comparable<IndexedValue> {

    static final int NULL = 0;
    static final int NUMBER = 1;
    static final int STRING = 2;
    static final int OBJECT_ID = 3;
    static final int BOOLEAN = 4;
    static final int DATE = 5;

    /**
     * The matcher compares a number with a long beyond int range via Long.compare, truncating the
     * other side (ValueComparator, Utils.normalizeNumber). Near such values a range bound is
     * widened by 1; beyond this magnitude, where the truncation saturates, it is dropped.
     */
    private static final BigDecimal EXACT_BELOW = BigDecimal.valueOf(1L << 30);
    private static final BigDecimal DROP_FROM = BigDecimal.valueOf(1L << 62);

    private final int band;
    /** The value within its band; null for null/missing, and for the lowest key of a band. */
    @SuppressWarnings("rawtypes")
    private final Comparable value;

    private IndexedValue(int band, Comparable<?> value) {
        this.band = band;
        this.value = value;
    }

    /** Returns the key of a document's (or a query's) value, or null when it has none. */
    static IndexedValue of(Object raw) {
        if (Missing.isNullOrMissing(raw)) {
            return new IndexedValue(NULL, null);
        }
        if (raw instanceof String string) {
            return new IndexedValue(STRING, string);
        }
        if (raw instanceof Integer || raw instanceof Long) {
            long number = ((Number) raw).longValue();
            // Like Utils.normalizeValue: a long that survives a round trip through a double is
            // that double (Long.MAX_VALUE too, as the cast back saturates: it equals 2^63).
            boolean asDouble = (long) (double) number == number;
            return new IndexedValue(NUMBER,
                asDouble ? new BigDecimal((double) number) : BigDecimal.valueOf(number));
        }
        if (raw instanceof Double number) {
            // The double's exact decimal: equal doubles (and -0.0 and 0.0) give equal keys.
            return Double.isFinite(number) ? new IndexedValue(NUMBER, new BigDecimal(number))
                : null;
        }
        if (raw instanceof ObjectId objectId) {
            return new IndexedValue(OBJECT_ID, objectId);
        }
        if (raw instanceof Boolean bool) {
            return new IndexedValue(BOOLEAN, bool);
        }
        if (raw instanceof Instant instant) {
            return new IndexedValue(DATE, instant);
        }
        return null;
    }

    /** The lowest key of a band (the band after the last one is above every key). */
    static IndexedValue lowestOf(int band) {
        return new IndexedValue(band, null);
    }

    int band() {
        return band;
    }

    boolean isNull() {
        return band == NULL;
    }

    /**
     * Returns this value as a range's lower bound: itself, or a number 1 lower (see EXACT_BELOW),
     * or null when the range may not be bounded on this side.
     */
    IndexedValue asLowerBound() {
        return asBound(BigDecimal.ONE.negate());
    }

    /** Returns this value as a range's upper bound: like asLowerBound, 1 higher. */
    IndexedValue asUpperBound() {
        return asBound(BigDecimal.ONE);
    }

    /** Whether asLowerBound/asUpperBound keep this value itself (so $gt/$lt stay exclusive). */
    boolean isExactBound() {
        return band != NUMBER || ((BigDecimal) value).abs().compareTo(EXACT_BELOW) < 0;
    }

    private IndexedValue asBound(BigDecimal widening) {
        if (isExactBound()) {
            return this;
        }
        BigDecimal number = (BigDecimal) value;
        if (number.abs().compareTo(DROP_FROM) >= 0) {
            return null;
        }
        return new IndexedValue(NUMBER, number.add(widening));
    }

    @Override
    @SuppressWarnings("unchecked")
    public int compareTo(IndexedValue other) {
        if (band != other.band) {
            return Integer.compare(band, other.band);
        }
        if (value == null || other.value == null) {
            return value == null ? (other.value == null ? 0 : -1) : 1;
        }
        return value.compareTo(other.value);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IndexedValue key && compareTo(key) == 0;
    }

    @Override
    public int hashCode() {
        return band; // only for completeness: the index keeps IndexedValues in a TreeMap
    }

    @Override
    public String toString() {
        return band + ":" + value;
    }
}
