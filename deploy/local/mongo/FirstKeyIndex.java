// A non-unique secondary index for mongo-java-server, which by itself ignores them (every query not
// on a unique key then reads the whole collection). It keeps, in memory, an ordered map from the
// value of the index's FIRST key to the positions of the documents having it, and serves queries
// that fix that key (equality, $in, or a range; see KeyCondition). It answers with a superset:
// AbstractMongoCollection.matchDocuments re-applies the whole filter, then sorts, skips and limits.
//
// Positions come back in the collection's natural order (memory: insertion slots; h2: _id order,
// the order of its MVMap), the order a full scan reads documents in: so sorts with ties, and
// queries without a sort, answer exactly as without the index.
//
// Nothing is stored: the h2 backend rebuilds it from the documents at start, like a new index
// (AbstractMongoCollection.addIndex fills an empty index).
//
// Thread safety: the collection calls it under its own lock for reads and writes
// (AbstractSynchronizedMongoCollection), except count() and index builds/drops, which the databases
// run under the collection's lock (VeloMemoryDatabase, VeloH2Database). Every method that touches
// the maps is synchronized as well, so it is never inconsistent even when called outside the lock.

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.EmptyIndex;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

final class FirstKeyIndex<P> extends Index<P> {

    /** Where a document is, and its key (null: no IndexedValue, returned for every query). */
    private record Slot<P>(P position, IndexedValue key) {
    }

    private final String field;
    private final MongoCollection<P> collection;
    private final Comparator<P> naturalOrder;
    private final NavigableMap<IndexedValue, NavigableSet<P>> positionsByKey = new TreeMap<>();
    /** Documents whose value has no IndexedValue (arrays, subdocuments, ...). */
    private final NavigableSet<P> everywhere;
    /** By normalized _id: removals and updates get only the document, not its position. */
    private final Map<Object, Slot<P>> entriesById = new HashMap<>();
    /** Reads a document's _id normalized the way the library's _id index does. */
    private final Index<P> idReader = new EmptyIndex<>("_id_", List.of(new IndexKey("_id", true)));

    FirstKeyIndex(String name, List<IndexKey> keys, boolean sparse, MongoCollection<P> collection,
                  Comparator<P> naturalOrder) {
        super(name, keys, sparse);
        this.field = keys.get(0).getKey();
        this.collection = collection;
        this.naturalOrder = naturalOrder;
        this.everywhere = new TreeSet<>(naturalOrder);
    }

    /** Whether this index can serve its first key: a plain path, no array positions like a.0. */
    static boolean canServe(String collectionName, List<IndexKey> keys) {
        String field = keys.get(0).getKey();
        return !collectionName.startsWith("system.")
            && Utils.splitPath(field).stream().allMatch(part -> !part.isEmpty()
                && !part.startsWith("$") && !part.chars().allMatch(Character::isDigit));
    }

    private Object idOf(Document document) {
        KeyValue id = idReader.getKeyValues(document).iterator().next();
        return id.get(0);
    }

    @Override
    public synchronized P getPosition(Document document) {
        Slot<P> entry = entriesById.get(idOf(document));
        return entry == null ? null : entry.position();
    }

    @Override
    public void checkAdd(Document document, MongoCollection<P> collection) {
        // not unique: every document may be added
    }

    @Override
    public synchronized void add(Document document, P position, MongoCollection<P> collection) {
        remove(document); // none there (the _id index refuses a second _id): never a stale entry
        Object value = Utils.getSubdocumentValueCollectionAware(document, field); // arrays: a list
        IndexedValue key = IndexedValue.of(value);
        if (key == null) {
            everywhere.add(position);
        } else {
            positionsByKey.computeIfAbsent(key, k -> new TreeSet<>(naturalOrder)).add(position);
        }
        entriesById.put(idOf(document), new Slot<>(position, key));
    }

    @Override
    public synchronized P remove(Document document) {
        Slot<P> entry = entriesById.remove(idOf(document));
        if (entry == null) {
            return null;
        }
        if (entry.key() == null) {
            everywhere.remove(entry.position());
        } else {
            NavigableSet<P> positions = positionsByKey.get(entry.key());
            positions.remove(entry.position());
            if (positions.isEmpty()) {
                positionsByKey.remove(entry.key());
            }
        }
        return entry.position();
    }

    @Override
    public void checkUpdate(Document oldDocument, Document newDocument,
                            MongoCollection<P> collection) {
        // not unique: every update may be applied
    }

    @Override
    public synchronized void updateInPlace(Document oldDocument, Document newDocument, P position,
                                           MongoCollection<P> collection) {
        remove(oldDocument);
        add(newDocument, position, collection);
    }

    /**
     * Whether this index serves the query: it must narrow it, and be the index that narrows it
     * most, the first such in the collection's list on a tie (the library uses the first index
     * that says yes; a unique index that can answer it always narrows more).
     */
    @Override
    public boolean canHandle(Document query) {
        long mine = estimate(query, Long.MAX_VALUE);
        if (mine < 0) {
            return false;
        }
        boolean before = true;
        for (Index<P> other : collection.getIndexes()) {
            if (other == this) {
                before = false;
            } else if (other instanceof FirstKeyIndex<P> sibling) {
                long theirs = sibling.estimate(query, mine);
                if (theirs >= 0 && (theirs < mine || (before && theirs == mine))) {
                    return false;
                }
            } else if (!before && other.isUnique() && other.canHandle(query)) {
                return false;
            }
        }
        return true;
    }

    /** How many positions getPositions would return (counting stops above cap); -1: not served. */
    synchronized long estimate(Document query, long cap) {
        KeyCondition condition = KeyCondition.find(query, field);
        if (condition == null) {
            return -1;
        }
        long count = everywhere.size();
        for (Collection<P> positions : matching(condition)) {
            count += positions.size();
            if (count > cap) {
                break;
            }
        }
        return count;
    }

    @Override
    public synchronized Iterable<P> getPositions(Document query) {
        KeyCondition condition = KeyCondition.find(query, field);
        if (condition == null) { // canHandle said no: the library does not ask then
            throw new IllegalArgumentException("index " + getName() + " cannot serve " + query);
        }
        List<Collection<P>> found = matching(condition);
        if (found.size() == 1 && everywhere.isEmpty()) {
            return new ArrayList<>(found.get(0)); // one key: already in natural order
        }
        List<P> positions = new ArrayList<>(everywhere);
        found.forEach(positions::addAll);
        positions.sort(naturalOrder);
        return positions;
    }

    /** The position sets of the keys the condition allows (views: copy before the lock is left). */
    private List<Collection<P>> matching(KeyCondition condition) {
        List<Collection<P>> found = new ArrayList<>();
        if (condition.values() != null) {
            for (IndexedValue key : new TreeSet<>(condition.values())) { // $in: [a, a] only once
                NavigableSet<P> positions = positionsByKey.get(key);
                if (positions != null) {
                    found.add(positions);
                }
            }
        } else if (condition.low().compareTo(condition.high()) <= 0) { // else: e.g. $gt: 5, $lt: 3
            found.addAll(positionsByKey.subMap(condition.low(), condition.lowInclusive(),
                condition.high(), condition.highInclusive()).values());
        }
        return found;
    }

    @Override
    public synchronized long getCount() {
        return entriesById.size();
    }

    @Override
    public long getDataSize() {
        return getCount();
    }

    @Override
    public synchronized void drop() {
        positionsByKey.clear();
        everywhere.clear();
        entriesById.clear();
    }
}
